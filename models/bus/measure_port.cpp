#include "models/bus/measure_port.h"

#include <nlohmann/json.hpp>
#include <string>

#include "models/core/log.h"
#include "models/core/trace.h"

namespace hvsim {

using namespace measure;

MeasurePort::MeasurePort(sc_core::sc_module_name name)
    : sc_module(name),
      socket("socket"),
      markers(this, "markers", "events", "guest markers written (values other than ROI begin/end)"),
      roi_begins(this, "roi_begins", "events", "ROI begin commands accepted"),
      roi_ends(this, "roi_ends", "events", "ROI end commands accepted"),
      misordered(this, "misordered", "events", "ROI begin while active or ROI end while idle (ignored)") {
  socket.register_b_transport(this, &MeasurePort::b_transport);
}

int MeasurePort::track() {
  if (track_ < 0) {
    // "vm0.measure" -> process "vm0", thread "measure": the marker sits next to its VM's tracks.
    const std::string full = name();
    const auto dot = full.find('.');
    track_ = dot == std::string::npos ? TraceSink::instance().track("platform", full)
                                      : TraceSink::instance().track(full.substr(0, dot), full.substr(dot + 1));
  }
  return track_;
}

void MeasurePort::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t off = trans.get_address();
  const unsigned len = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (trans.is_read()) {
    const uint32_t exits = exit_source_ ? static_cast<uint32_t>(exit_source_()) : 0xFFFFFFFFu;
    for (unsigned i = 0; i < len; ++i) {
      const uint64_t b = off + i;
      if (b < kExitCountOffset)
        data[i] = static_cast<uint8_t>(kSignature >> (8 * b));
      else if (b < kPortSize)
        data[i] = static_cast<uint8_t>(exits >> (8 * (b - kExitCountOffset)));
      else
        data[i] = 0xFF;
    }
    return;
  }
  if (!trans.is_write()) return;
  if ((off != 0 || len != 4) && warn_.allow())
    HVSIM_WARN(name(), "%u-byte write at offset %llu: commands are dword writes at offset 0; taking the value as is",
               len, static_cast<unsigned long long>(off));
  uint32_t v = 0;
  for (unsigned i = 0; i < len && i < 4; ++i) v |= static_cast<uint32_t>(data[i]) << (8 * i);
  command(v, sc_core::sc_time_stamp() + delay);
}

void MeasurePort::command(uint32_t v, const sc_core::sc_time& at) {
  StatsRegistry& stats = StatsRegistry::instance();
  TraceSink& trace = TraceSink::instance();
  if (v == kRoiBegin || v == kRoiEnd) {
    const bool begin = v == kRoiBegin;
    if (begin == stats.roi_active()) {
      ++misordered;
      if (warn_.allow())
        HVSIM_WARN(name(), "write %u (ROI %s) while the ROI is %s: ignored", v, begin ? "begin" : "end",
                   begin ? "already active" : "not active");
      return;
    }
    if (begin) {
      ++roi_begins;  // counted before the snapshot, so the ROI's own begin is not inside it
      stats.roi_begin();
    } else {
      stats.roi_end();
      ++roi_ends;
    }
    if (trace.enabled()) trace.instant(track(), begin ? "roi_begin" : "roi_end", "measure", at);
    return;
  }
  ++markers;
  last_marker_ = v;
  if (trace.enabled()) {
    nlohmann::json args{{"value", v}};
    trace.instant(track(), "marker", "measure", at, &args);
  }
}

}  // namespace hvsim
