#include "benchmarks/bench_common.h"

#include <unicorn/unicorn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "models/core/params.h"

namespace hvsim::bench {

NullTarget::NullTarget(const sc_core::sc_module_name& name) : sc_module(name), socket("socket") {
  socket.register_b_transport(this, &NullTarget::b_transport);
}

void NullTarget::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time&) {
  ++accesses;
  if (t.is_read()) std::memset(t.get_data_ptr(), 0, t.get_data_length());
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

namespace {
constexpr uint64_t kRam = testkit::kDefaultRam;

struct Platform {
  Memory ram{"ram", kRam};
  AddressRouter mem_bus{"mem_bus"}, io_bus{"io_bus"};
  VirtualCpu cpu{"cpu"};
  NullTarget mmio{"mmio"}, ports{"ports"};
  Platform() {
    cpu.mem.bind(mem_bus.target_socket);
    cpu.io.bind(io_bus.target_socket);
    mem_bus.map(0, kRam, ram.socket, "ram");
    mem_bus.map(testkit::kMmioBase, testkit::kMmioSize, mmio.socket, "mmio");
    io_bus.map(0, 0x10000, ports.socket, "ports");
  }
};

double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the calling thread: SystemC (QuickThreads) and Unicorn run on it, and unlike wall
// time it does not depend on what else the (shared) host is running.
double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void check(uc_err e, const char* what) {
  if (e != UC_ERR_OK) throw std::runtime_error(std::string("raw unicorn: ") + what + ": " + uc_strerror(e));
}

uint64_t g_raw_accesses = 0;
void raw_out(uc_engine*, uint32_t, int, uint32_t, void*) { ++g_raw_accesses; }
uint64_t raw_mmio_read(uc_engine*, uint64_t, unsigned, void*) {
  ++g_raw_accesses;
  return 0;
}
void raw_mmio_write(uc_engine*, uint64_t, unsigned, uint64_t, void*) { ++g_raw_accesses; }
void raw_block(uc_engine*, uint64_t, uint32_t, void*) {}
}  // namespace

RunResult run_hvsim(const testkit::Code& code, const std::map<std::string, std::string>& cpu_params) {
  testkit::TempKernel kernel(testkit::KernelSpec::elf32(code));
  auto& reg = ParamRegistry::instance();
  const SourceLoc where{"benchmark", 0, ""};
  reg.set_override("cpu.kernel", kernel.path(), where);
  for (auto& [k, v] : cpu_params) reg.set_override("cpu." + k, v, where);
  // HVSIM_BENCH_PARAMS="quantum_ps=10000000,cpi=2": vCPU parameter overrides for exploration.
  if (const char* env = std::getenv("HVSIM_BENCH_PARAMS")) {
    std::string all = env;
    size_t pos = 0;
    while (pos < all.size()) {
      size_t end = all.find(',', pos);
      if (end == std::string::npos) end = all.size();
      std::string kv = all.substr(pos, end - pos);
      size_t eq = kv.find('=');
      if (eq != std::string::npos)
        reg.set_override("cpu." + kv.substr(0, eq), kv.substr(eq + 1), SourceLoc{"HVSIM_BENCH_PARAMS", 0, kv});
      pos = end + 1;
    }
  }
  Platform p;
  p.cpu.prepare(kRam);
  double w0 = wall_s(), c0 = cpu_s();
  sc_core::sc_start();
  RunResult r;
  r.seconds = cpu_s() - c0;
  r.wall_seconds = wall_s() - w0;
  r.instructions = p.cpu.instructions();
  r.accesses = p.mmio.accesses + p.ports.accesses;
  r.outcome = p.cpu.outcome().message;
  if (p.cpu.outcome().kind != RunOutcome::Kind::kHalted) throw std::runtime_error("hvsim run: " + r.outcome);
  return r;
}

RunResult run_raw_unicorn(const testkit::Code& code, const RawHooks& hooks) {
  uc_engine* uc = nullptr;
  check(uc_open(UC_ARCH_X86, UC_MODE_32, &uc), "uc_open");
  check(uc_mem_map(uc, 0, kRam, UC_PROT_ALL), "uc_mem_map");
  check(uc_mem_write(uc, code.base(), code.bytes().data(), code.bytes().size()), "uc_mem_write");
  uint32_t esp = 0x9F000;
  check(uc_reg_write(uc, UC_X86_REG_ESP, &esp), "ESP");
  uc_hook h;
  g_raw_accesses = 0;
  if (hooks.out_hook)
    check(uc_hook_add(uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&raw_out), nullptr, 1, 0, UC_X86_INS_OUT),
          "OUT hook");
  if (hooks.block_hook)
    check(uc_hook_add(uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&raw_block), nullptr, 1, 0), "block hook");
  if (hooks.mmio)
    check(uc_mmio_map(uc, testkit::kMmioBase, testkit::kMmioSize, &raw_mmio_read, nullptr, &raw_mmio_write, nullptr),
          "uc_mmio_map");
  double w0 = wall_s(), c0 = cpu_s();
  uc_err e = uc_emu_start(uc, code.base(), UINT64_MAX, 0, 0);
  RunResult r;
  r.seconds = cpu_s() - c0;
  r.wall_seconds = wall_s() - w0;
  check(e, "uc_emu_start");
  uint32_t eip = 0;
  uc_reg_read(uc, UC_X86_REG_EIP, &eip);
  uint8_t last = 0;
  uc_mem_read(uc, eip - 1, &last, 1);
  uc_close(uc);
  if (last != 0xF4) throw std::runtime_error("raw unicorn run did not end at its HLT");
  r.accesses = g_raw_accesses;
  r.outcome = "halted";
  return r;
}

bool claim_systemc(benchmark::State& state) {
  static bool claimed = false;
  if (claimed) {
    state.SkipWithError("SystemC elaborates once per process: run one hvsim benchmark per process");
    return false;
  }
  claimed = true;
  return true;
}

void report(benchmark::State& state, const RunResult& r) {
  state.SetIterationTime(r.seconds);
  state.counters["MIPS"] = benchmark::Counter(static_cast<double>(r.instructions) / r.seconds / 1e6);
  state.counters["guest_insns"] = benchmark::Counter(static_cast<double>(r.instructions));
  state.counters["wall_s"] = benchmark::Counter(r.wall_seconds);
  if (r.accesses) {
    state.counters["accesses"] = benchmark::Counter(static_cast<double>(r.accesses));
    state.counters["accesses_per_s"] = benchmark::Counter(static_cast<double>(r.accesses) / r.seconds);
    state.counters["ns_per_access"] = benchmark::Counter(r.seconds * 1e9 / static_cast<double>(r.accesses));
  }
}

}  // namespace hvsim::bench
