// X86Core: the only place that talks to Unicorn. It runs guest code and reports every event that
// leaves the translated code (port I/O, MMIO, RDTSC, RDMSR/WRMSR, CPUID, faults, invalid opcodes,
// block entries) to its host, and keeps an exact retired-instruction count.
//
// Why it looks the way it does (measured on Debian's Unicorn 2.0.1, shared/specs/unicorn-2.0.1.md):
// - Instructions are counted per translation block from a Capstone decode done once per block, and
//   corrected at every early exit, because UC_HOOK_CODE on every instruction is 5-30x slower.
// - RDMSR/WRMSR/RDTSC have no hook: each one gets an exact-address code hook the first time its block
//   is seen, the block's cached translation is removed and the block restarted (no instruction runs
//   twice), and the hook emulates the instruction and skips it by writing RIP.
// - IN/OUT hooks report a stale RIP; a translation block is straight-line code, so the n-th I/O
//   callback since block entry is the n-th I/O instruction of the decoded block, which gives the
//   exact RIP and retired count at that access.
// - uc_emu_stop from an IN/OUT/MMIO callback re-executes instructions on resume; it is used only to
//   end the run, after which every hook is inert.
#pragma once

#include <cstdint>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct uc_struct;

namespace hvsim {

enum class CpuMode { kProtected32, kLong64 };

// Register state a boot loader hands over (Multiboot: flat 32-bit protected mode).
struct X86BootState {
  CpuMode mode = CpuMode::kProtected32;
  uint64_t entry = 0;
  uint64_t rax = 0, rbx = 0, rsp = 0;
  uint64_t gdt_base = 0;
  uint16_t gdt_limit = 0;
  uint16_t code_selector = 0, data_selector = 0;
  uint64_t cr3 = 0;  // long mode: identity-map page tables
};

// What X86Core asks of the model that owns it. All calls happen on the simulation thread that called
// X86Core::run(); they may call sc_core::wait().
class X86CoreHost {
 public:
  virtual ~X86CoreHost() = default;
  // A translation block is about to run; retired() counts everything before it. Returning false
  // means the host redirected execution (e.g. interrupt delivery wrote RIP): the block does not run.
  // `interrupt_shadow`: the instruction just retired was STI, MOV SS or POP SS, so no external
  // interrupt may be taken before this block's first instruction (SDM Vol. 3, 6.8.3 / STI): it is
  // what makes "sti; hlt" race-free.
  virtual bool on_block(uint64_t address, bool interrupt_shadow) = 0;
  virtual uint32_t port_in(uint16_t port, unsigned size) = 0;
  virtual void port_out(uint16_t port, unsigned size, uint32_t value) = 0;
  virtual uint64_t mmio_read(uint64_t address, unsigned size) = 0;
  virtual void mmio_write(uint64_t address, unsigned size, uint64_t value) = 0;
  virtual uint64_t rdtsc() = 0;
  // Return false to raise #GP in the guest (reported as a guest fault).
  virtual bool rdmsr(uint32_t msr, uint64_t& value) = 0;
  virtual bool wrmsr(uint32_t msr, uint64_t value) = 0;
  // Return true if the host produced the result (regs = eax, ebx, ecx, edx), false for native CPUID.
  virtual bool cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) = 0;
  // An undefined opcode (#UD): VMCALL/VMMCALL land here. Return true if handled; the host must then
  // have set the result registers and RIP (normally rip + the instruction's length).
  virtual bool invalid_opcode(uint64_t rip, const uint8_t* bytes, unsigned available) = 0;
  // A software INT n / INT3 / INTO. Return true if the host delivered it (wrote RIP and the frame);
  // false makes it a guest fault.
  virtual bool software_interrupt(unsigned vector, uint64_t next_rip) = 0;
};

class X86Core {
 public:
  enum class Stop {
    kHalt,          // HLT retired; RIP is after it
    kStopRequested, // request_stop() was called from a hook; the run is over
    kFault,         // guest exception (fault() says which); the run is over
    kError,         // Unicorn error (error() says which); the run is over
  };
  struct Fault {
    unsigned vector = 0;
    uint64_t rip = 0, cr2 = 0;
    std::string what;
  };

  X86Core(CpuMode mode, X86CoreHost& host);
  ~X86Core();
  X86Core(const X86Core&) = delete;
  X86Core& operator=(const X86Core&) = delete;

  // RAM at [base, base+size) backed by host memory (DMI). Page-aligned.
  void map_ram(uint64_t base, uint64_t size, uint8_t* host);
  // Every access in [base, base+size) goes to the host's mmio_read/mmio_write. Page-aligned.
  void map_mmio(uint64_t base, uint64_t size);
  void set_boot_state(const X86BootState& s);

  Stop run();           // until HLT, request_stop() or a fault
  void request_stop();  // from inside a hook: end the run at the next safe point
  bool stopped() const { return stopping_; }

  // Exact retired instructions. Inside an I/O callback: up to and including that IN/OUT.
  // Inside on_block: everything before the block. Inside rdtsc/rdmsr/wrmsr: before that instruction.
  uint64_t retired() const { return exact_retired_; }
  // RIP of the instruction being handled (exact for I/O and special instructions; the block start
  // for MMIO, which Unicorn does not locate more precisely).
  uint64_t current_rip() const { return cur_rip_; }
  const Fault& fault() const { return fault_; }
  const std::string& error() const { return error_; }

  // General-purpose registers by name, so callers need no Unicorn header (full width in long mode).
  enum class Gpr { kRax, kRbx, kRcx, kRdx, kRsi, kRdi, kR8 };
  uint64_t gpr(Gpr r) const;
  void set_gpr(Gpr r, uint64_t value);

  uint64_t rip() const;
  void set_rip(uint64_t rip);
  bool interrupts_enabled() const;  // RFLAGS.IF
  uint64_t reg(int uc_reg) const;   // raw access for diagnostics and later models (UC_X86_REG_*)
  void set_reg(int uc_reg, uint64_t value);
  // Delivers an external interrupt or INT n through the guest IDT (32-bit interrupt/trap gates or a
  // 64-bit IDT), pushing the frame with `return_rip`. False (with `why`) if the gate is unusable.
  // Call only from on_block (the block then does not run) or between runs.
  bool deliver_interrupt(uint8_t vector, uint64_t return_rip, std::string& why);
  // CPUID as Unicorn's CPU model answers it (a private scratch engine; cached).
  void native_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
  // MSRs held by Unicorn's own CPU state (EFER, FS/GS base, SYSCALL/SYSENTER, PAT).
  uint64_t native_msr(uint32_t msr) const;
  void set_native_msr(uint32_t msr, uint64_t value);
  bool read_memory(uint64_t address, void* out, size_t size) const;
  bool write_memory(uint64_t address, const void* in, size_t size);
  CpuMode mode() const { return mode_; }

  uint64_t blocks_translated() const { return blocks_.size(); }
  uint64_t special_hooks() const { return special_hook_count_; }

 private:
  enum class Special : uint8_t { kRdtsc, kRdtscp, kRdmsr, kWrmsr };
  struct SpecialInsn {
    uint64_t address;
    uint16_t index;  // position in the block
    uint8_t length;
    Special kind;
  };
  struct Block {
    uint64_t address = 0;
    uint32_t icount = 0;
    std::vector<uint64_t> insn_addr;   // address of each instruction
    std::vector<uint16_t> io_index;    // positions of IN/OUT/INS/OUTS instructions
    std::vector<SpecialInsn> specials;
    std::vector<uint8_t> bytes;         // the code as decoded: a rewrite (self-modifying code) shows here
    bool rep_only = false;              // the block is a single REP string instruction (one pass per iteration)
    uint64_t last_rep = 0;              // address of a REP string instruction ending the block, or 0
    bool shadow_after = false;          // ends with STI, MOV SS or POP SS (QEMU ends the block there)
  };

  friend struct X86CoreHooks;  // the Unicorn callbacks (x86_core.cpp)

  Block& decode(uint64_t address, uint32_t size);
  bool still_valid(const Block& b) const;  // its bytes are unchanged in RAM
  bool install_special_hooks(const Block& b);  // true if any new hook was added
  void enter_io();                             // settles the exact count at the next I/O instruction
  void end_run_with_fault(unsigned vector, uint64_t rip, uint64_t cr2, const std::string& what);
  int index_in_block(uint64_t rip) const;

  CpuMode mode_;
  X86CoreHost& host_;
  uc_struct* uc_ = nullptr;
  size_t capstone_ = 0;
  uint8_t* ram_ = nullptr;
  uint64_t ram_base_ = 0, ram_size_ = 0;
  uint64_t prev_rep_ = 0;  // REP instruction the previous block ended with (or was)
  uint64_t mmio_base_ = 0;
  bool mmio_base_set_ = false;
  bool resume_after_invalid_ = false;

  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;  // key: address | size << 48
  std::unordered_map<uint64_t, uint8_t> special_hooked_;         // address -> hooked
  uint64_t special_hook_count_ = 0;

  uc_struct* scratch_ = nullptr;  // native CPUID evaluation
  std::unordered_map<uint64_t, std::array<uint32_t, 4>> cpuid_cache_;

  const Block* cur_block_ = nullptr;
  uint64_t block_base_ = 0;      // retired before the current block
  uint32_t block_done_ = 0;      // instructions of the current block that will have retired at its end
  unsigned io_seen_ = 0;         // I/O callbacks since the current block started
  uint64_t exact_retired_ = 0;   // published count (see retired())
  uint64_t cur_rip_ = 0;

  bool stopping_ = false;
  Stop stop_ = Stop::kHalt;
  Fault fault_;
  std::string error_;
};

}  // namespace hvsim
