// Test kit for the vCPU (models/cpu): builds tiny Multiboot kernels from hand-encoded machine code and
// runs them on a small platform (VirtualCpu + Memory + an MMIO and a port-I/O AddressRouter, each
// with a recording test target). Used by tests/unit/test_cpu_*.cpp and by benchmarks/.
//
// Nothing here depends on Catch2, so the benchmarks can link it too.
//
//   testkit::Code c;                       // machine code placed at 1 MiB (testkit::kKernelBase)
//   c({0xB0, 0x5A})                        // mov al, 0x5a
//    ({0xE6, 0xE0})                        // out 0xe0, al
//    ({0xFA, 0xF4});                       // cli ; hlt
//   testkit::TempKernel k(testkit::KernelSpec::elf32(c));
//   testkit::CpuBench bench(k.path(), {{"cpi", "1.5"}});   // vCPU parameters, before construction
//   bench.run();                           // prepare + sc_start: one simulation per process
//
// HVSIM_KEEP_TEST_KERNELS=1 keeps the written ELF files (their paths go to stderr) for
// `objdump -D -b binary -mi386 ...` or `objdump -d kernel.elf`.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/bus/address_router.h"
#include "models/bus/memory.h"
#include "models/cpu/virtual_cpu.h"

namespace hvsim::testkit {

constexpr uint64_t kKernelBase = 0x100000;  // 1 MiB: where the code of every test kernel is loaded
constexpr uint64_t kMmioBase = 0xF0000000;  // the bench's MMIO test target window (above RAM)
constexpr uint64_t kMmioSize = 0x1000;
constexpr uint64_t kDefaultRam = 16ull << 20;

// A machine-code buffer that knows the guest address of its next byte.
class Code {
 public:
  explicit Code(uint64_t base = kKernelBase) : base_(base) {}
  Code& operator()(std::initializer_list<uint8_t> bytes);  // raw bytes (one instruction or part of one)
  Code& d(uint32_t v);                                      // 4 bytes, little-endian (imm32 / disp32)
  Code& w(uint16_t v);                                      // 2 bytes, little-endian
  Code& q(uint64_t v);                                      // 8 bytes, little-endian (imm64)
  Code& rel8(uint64_t target);   // the rel8 byte of a short jump whose last byte this is
  Code& rel32(uint64_t target);  // the rel32 of a near call/jump whose last 4 bytes these are
  Code& repeat(std::initializer_list<uint8_t> bytes, unsigned n);
  uint64_t here() const { return base_ + bytes_.size(); }  // guest address of the next byte
  uint64_t base() const { return base_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  uint64_t base_;
  std::vector<uint8_t> bytes_;
};

// One PT_LOAD segment: `bytes` at physical (= virtual) `address`, zero-filled up to mem_size.
struct Segment {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
  uint64_t mem_size = 0;  // 0: bytes.size()
};

struct KernelSpec {
  bool is_elf64 = false;           // ELF64 (EM_X86_64, entered in long mode) or ELF32 (EM_386, Multiboot)
  std::vector<Segment> segments;   // segments[0] holds the code; the entry point is its first byte
  uint64_t entry = kKernelBase;
  bool multiboot_header = true;    // a Multiboot v1 header (magic 0x1BADB002) in the first 8 KiB
  uint32_t multiboot_flags = 0;

  static KernelSpec elf32(const Code& code);
  static KernelSpec elf64(const Code& code);
  KernelSpec& with(uint64_t address, std::vector<uint8_t> bytes, uint64_t mem_size = 0);  // a data segment
};

// The ELF file image for a spec.
std::vector<uint8_t> make_kernel_image(const KernelSpec& spec);

// A file in its own temporary directory, removed with it.
class TempKernel {
 public:
  explicit TempKernel(const KernelSpec& spec);                    // writes make_kernel_image(spec)
  explicit TempKernel(const std::vector<uint8_t>& raw_file_bytes);  // writes arbitrary bytes
  TempKernel();                                                    // a path that does not exist
  ~TempKernel();
  TempKernel(const TempKernel&) = delete;
  TempKernel& operator=(const TempKernel&) = delete;
  const std::string& path() const { return path_; }

 private:
  void make_dir();
  std::string dir_, path_;
};

// A TLM target that serves reads from a table, annotates a fixed delay and records every access
// with the vCPU's exact retired-instruction count and local time at that moment.
class RecordingTarget : public sc_core::sc_module {
 public:
  struct Access {
    bool write = false;
    uint64_t address = 0;  // offset within the target's router window
    unsigned size = 0;
    uint64_t value = 0;            // written, or returned to the read
    uint64_t instructions = 0;     // cpu->instructions() during the access
    uint64_t cycles = 0;           // cpu->cycles() during the access
    sc_core::sc_time local_time;   // sc_time_stamp() + the delay annotation on entry
  };

  tlm_utils::simple_target_socket<RecordingTarget> socket;
  const VirtualCpu* cpu = nullptr;
  std::map<uint64_t, uint64_t> read_values;          // address -> value (little-endian, truncated)
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;    // added to every access's delay
  std::map<uint64_t, sc_core::sc_time> delay_at;     // per-address delay (replaces `delay`)
  // LT target styles that call wait() inside b_transport:
  bool sync_first = false;                           // wait(delay); delay = 0 before anything else
  sc_core::sc_time wait_inside = sc_core::SC_ZERO_TIME;  // then wait() this long (delay untouched)
  std::function<void(const Access&)> on_access;      // called after each recorded access
  std::set<uint64_t> error_at;                       // addresses answering TLM_ADDRESS_ERROR_RESPONSE
  bool record = true;                                // benchmarks switch recording off
  uint64_t count = 0;
  std::vector<Access> log;

  explicit RecordingTarget(const sc_core::sc_module_name& name);

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d);
};

// The vCPU bench: RAM at 0 (DMI), an MMIO target at kMmioBase, every I/O port on `ports`.
// Parameters are vCPU parameter keys ("cpi", "clock_hz", "quantum_ps", ...) applied as overrides
// before construction. The vCPU is named "cpu", so its stats are "cpu.instructions" etc.
class CpuBench {
 public:
  CpuBench(const std::string& kernel_path, const std::map<std::string, std::string>& cpu_params = {},
           uint64_t ram_size = kDefaultRam);

  void run();  // cpu.prepare(ram_size) and sc_start() until the vCPU ends the simulation
  uint64_t ram_u32(uint64_t address) const;

 private:
  struct Overrides {
    Overrides(const std::string& kernel, const std::map<std::string, std::string>& params);
  } overrides_;  // first member: applied before the parameters below exist

 public:
  uint64_t ram_size;
  Memory ram;
  AddressRouter mem_bus, io_bus;
  VirtualCpu cpu;
  RecordingTarget ports, mmio;
};

// Captures what the process writes to stderr (fd 2) while it lives, e.g. hvsim warnings.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  std::string text();  // everything captured so far (stops capturing)

 private:
  int saved_ = -1;
  std::string path_;
  bool done_ = false;
};

// A Counter's value by full name ("cpu.instructions"); throws std::out_of_range if there is none.
uint64_t counter(const std::string& name);

}  // namespace hvsim::testkit
