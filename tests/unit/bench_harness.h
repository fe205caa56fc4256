// Shared initiator harness for the bus-device unit benches (tests/unit/test_bus_*.cpp): a module with
// one or more named TLM initiator sockets that runs a test's `body` as an SC_THREAD, so the body can
// do blocking transport and wait().
//
//   class Bench : public testbench::BusInitiator {      // device-specific helpers go here
//    public:
//     socket_type& out = socket(0);
//     explicit Bench(sc_core::sc_module_name n) : BusInitiator(n, {"out"}, kStopAfterBody) {}
//     uint8_t rd(unsigned off) { return read8(out, off); }
//   };
//   bench.body = [&] { CHECK(bench.rd(5) == 0x60); };
//   sc_core::sc_start();
//   REQUIRE(bench.done);
//
// Every access builds a fresh generic payload (command, address, data, length, streaming width,
// TLM_INCOMPLETE_RESPONSE), calls b_transport with the given annotated delay (zero by default), checks
// the response through check_response() (one CHECK per access; override it for other checks), then
// waits the returned delay out unless wait_delay is cleared.
#pragma once

#include <catch2/catch.hpp>
#include <cassert>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

namespace hvsim::testbench {

class BusInitiator : public sc_core::sc_module {
 public:
  using socket_type = tlm_utils::simple_initiator_socket<BusInitiator>;

  // What run() does once body() returns: nothing (the simulation ends when it runs out of events), or
  // sc_stop() (for devices that always have an event pending, such as a periodic timer).
  enum StopPolicy { kRunOut, kStopAfterBody };

  // The outcome of one access: the response status and the annotated delay b_transport returned.
  struct Result {
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
  };

  std::function<void()> body;
  bool done = false;
  bool wait_delay = true;          // wait the annotated delay out after every access
  uint8_t read_fill = 0xEE;        // what read buffers hold before the target fills them
  sc_core::sc_time last_delay = sc_core::SC_ZERO_TIME;  // of the latest access
  tlm::tlm_response_status last_status = tlm::TLM_INCOMPLETE_RESPONSE;
  // DMI invalidations received on any socket: the latest range and how many.
  uint64_t inval_start = 0, inval_end = 0;
  int invalidations = 0;

  SC_HAS_PROCESS(BusInitiator);
  BusInitiator(sc_core::sc_module_name n, std::initializer_list<const char*> socket_names,
               StopPolicy stop = kRunOut)
      : sc_module(n), stop_(stop) {
    for (const char* name : socket_names) {
      sockets_.push_back(std::make_unique<socket_type>(name));
      sockets_.back()->register_invalidate_direct_mem_ptr(this, &BusInitiator::invalidate);
    }
    SC_THREAD(run);
  }

  socket_type& socket(unsigned i) { return *sockets_.at(i); }

  // One blocking access of `len` bytes at `data`.
  Result access(socket_type& s, tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    // A member, not a local: a thread left suspended by sc_stop never unwinds its stack (LeakSanitizer).
    tlm::tlm_generic_payload& gp = gp_.emplace();
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    s->b_transport(gp, delay);
    last_delay = delay;
    last_status = gp.get_response_status();
    check_response(gp, addr);
    if (wait_delay) wait(delay);
    return Result{last_status, delay};
  }
  Result access(unsigned socket_index, tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return access(socket(socket_index), cmd, addr, data, len, delay);
  }

  // Little-endian reads and writes of 1 to 4 bytes.
  uint32_t read(socket_type& s, uint64_t addr, unsigned len, sc_core::sc_time delay = sc_core::SC_ZERO_TIME,
                Result* result = nullptr) {
    assert(len <= 4);
    uint8_t b[4] = {read_fill, read_fill, read_fill, read_fill};
    const Result r = access(s, tlm::TLM_READ_COMMAND, addr, b, len, delay);
    if (result) *result = r;
    uint32_t v = 0;
    for (unsigned i = 0; i < len; ++i) v |= static_cast<uint32_t>(b[i]) << (8 * i);
    return v;
  }
  Result write(socket_type& s, uint64_t addr, uint32_t v, unsigned len,
               sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    assert(len <= 4);
    uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 24)};
    return access(s, tlm::TLM_WRITE_COMMAND, addr, b, len, delay);
  }
  uint8_t read8(socket_type& s, uint64_t addr, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return static_cast<uint8_t>(read(s, addr, 1, delay));
  }
  uint16_t read16(socket_type& s, uint64_t addr, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return static_cast<uint16_t>(read(s, addr, 2, delay));
  }
  uint32_t read32(socket_type& s, uint64_t addr, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return read(s, addr, 4, delay);
  }
  Result write8(socket_type& s, uint64_t addr, uint8_t v, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return write(s, addr, v, 1, delay);
  }
  Result write16(socket_type& s, uint64_t addr, uint16_t v, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return write(s, addr, v, 2, delay);
  }
  Result write32(socket_type& s, uint64_t addr, uint32_t v, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    return write(s, addr, v, 4, delay);
  }

  // Wait until simulated time t (no wait if it has passed).
  void wait_until(const sc_core::sc_time& t) {
    if (t > sc_core::sc_time_stamp()) wait(t - sc_core::sc_time_stamp());
  }

 protected:
  // Called after every b_transport, before the delay is waited out.
  virtual void check_response(const tlm::tlm_generic_payload& gp, uint64_t /*addr*/) { CHECK(gp.is_response_ok()); }

 private:
  std::vector<std::unique_ptr<socket_type>> sockets_;
  std::optional<tlm::tlm_generic_payload> gp_;
  StopPolicy stop_;

  void run() {
    body();
    done = true;
    if (stop_ == kStopAfterBody) sc_core::sc_stop();
  }
  void invalidate(sc_dt::uint64 s, sc_dt::uint64 e) {
    inval_start = s;
    inval_end = e;
    ++invalidations;
  }
};

}  // namespace hvsim::testbench
