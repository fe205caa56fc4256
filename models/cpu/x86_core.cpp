#include "models/cpu/x86_core.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/core/log.h"

namespace hvsim {

namespace {
constexpr uint64_t kBlockKeySizeShift = 48;  // guest addresses stay below 2^48
constexpr unsigned kMaxInsnBytes = 15;

void check(uc_err err, const char* what) {
  if (err != UC_ERR_OK) throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(err));
}

// A REP/REPE/REPNE-prefixed string instruction (MOVS, STOS, LODS, INS, OUTS, CMPS, SCAS).
bool is_rep_string(const uint8_t* p, size_t n) {
  bool rep = false;
  size_t i = 0;
  for (; i < n; ++i) {  // legacy prefixes, then an optional REX
    uint8_t b = p[i];
    if (b == 0xF3 || b == 0xF2) rep = true;
    else if (!(b == 0x66 || b == 0x67 || b == 0x2E || b == 0x3E || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65 ||
               b == 0xF0 || (b >= 0x40 && b <= 0x4F)))
      break;
  }
  if (!rep || i >= n) return false;
  uint8_t op = p[i];
  return (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF);
}

bool is_io_insn(unsigned id) {
  switch (id) {
    case X86_INS_IN: case X86_INS_OUT:
    case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD:
      return true;
    default:
      return false;
  }
}
}  // namespace

// The Unicorn callbacks, with the exact C signatures Unicorn expects.
struct X86CoreHooks {
  static void block(uc_engine*, uint64_t address, uint32_t size, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return;
    // The previous block ended with STI/MOV SS/POP SS and ran to its end (execution falls through to
    // right after it): the interrupt shadow covers this block's first instruction.
    const bool shadow = c->cur_block_ && c->cur_block_->shadow_after && c->block_done_ == c->cur_block_->icount &&
                        c->cur_block_->address + c->cur_block_->bytes.size() == address;
    c->block_base_ += c->block_done_;  // the previous block ran to its end unless corrected
    c->block_done_ = 0;
    c->io_seen_ = 0;
    c->exact_retired_ = c->block_base_;
    c->cur_rip_ = address;

    uint64_t key = address | (static_cast<uint64_t>(size) << kBlockKeySizeShift);
    auto it = c->blocks_.find(key);
    // Unicorn retranslates rewritten code by itself; our decode of it must follow.
    bool fresh = it == c->blocks_.end() || !c->still_valid(*it->second);
    const X86Core::Block& b = fresh ? c->decode(address, size) : *it->second;
    c->cur_block_ = &b;
    if (fresh && c->install_special_hooks(b)) {
      // Retranslate this block with its new exact-address hooks; nothing of it has run.
      c->set_rip(address);
      return;
    }
    // QEMU passes a REP string instruction once more after its last iteration, only to find the
    // count register at 0: that pass retires nothing.
    bool empty_rep_pass = b.rep_only && c->prev_rep_ == address &&
                          c->reg(c->mode_ == CpuMode::kLong64 ? UC_X86_REG_RCX : UC_X86_REG_ECX) == 0;
    c->prev_rep_ = b.rep_only ? address : b.last_rep;
    if (!c->host_.on_block(address, shadow) || c->stopping_) return;  // redirected or stopped: block does not run
    c->block_done_ = empty_rep_pass ? 0 : b.icount;
  }

  static void special(uc_engine*, uint64_t address, uint32_t, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_ || !c->cur_block_) return;
    const X86Core::SpecialInsn* s = nullptr;
    for (auto& cand : c->cur_block_->specials)
      if (cand.address == address) s = &cand;
    if (!s) return;  // hook of an instruction this block does not contain at that address: native run
    c->exact_retired_ = c->block_base_ + s->index;
    c->cur_rip_ = address;
    bool wide = c->mode_ == CpuMode::kLong64;
    switch (s->kind) {
      case X86Core::Special::kRdtsc: {
        uint64_t tsc = c->host_.rdtsc();
        c->set_reg(wide ? UC_X86_REG_RAX : UC_X86_REG_EAX, tsc & 0xFFFFFFFFu);
        c->set_reg(wide ? UC_X86_REG_RDX : UC_X86_REG_EDX, tsc >> 32);
        break;
      }
      case X86Core::Special::kRdtscp: {  // as RDTSC, plus IA32_TSC_AUX (0: one vCPU) in ECX
        uint64_t tsc = c->host_.rdtsc();
        c->set_reg(wide ? UC_X86_REG_RAX : UC_X86_REG_EAX, tsc & 0xFFFFFFFFu);
        c->set_reg(wide ? UC_X86_REG_RDX : UC_X86_REG_EDX, tsc >> 32);
        c->set_reg(wide ? UC_X86_REG_RCX : UC_X86_REG_ECX, 0);
        break;
      }
      case X86Core::Special::kRdmsr: {
        uint32_t msr = static_cast<uint32_t>(c->reg(UC_X86_REG_ECX));
        uint64_t v = 0;
        if (!c->host_.rdmsr(msr, v)) {
          c->block_done_ = s->index;
          c->end_run_with_fault(13, address, 0, strfmt("#GP: RDMSR of unsupported MSR 0x%x", msr));
          return;
        }
        c->set_reg(wide ? UC_X86_REG_RAX : UC_X86_REG_EAX, v & 0xFFFFFFFFu);
        c->set_reg(wide ? UC_X86_REG_RDX : UC_X86_REG_EDX, v >> 32);
        break;
      }
      case X86Core::Special::kWrmsr: {
        uint32_t msr = static_cast<uint32_t>(c->reg(UC_X86_REG_ECX));
        uint64_t v = (c->reg(UC_X86_REG_EDX) & 0xFFFFFFFFu) << 32 | (c->reg(UC_X86_REG_EAX) & 0xFFFFFFFFu);
        if (!c->host_.wrmsr(msr, v)) {
          c->block_done_ = s->index;
          c->end_run_with_fault(13, address, 0, strfmt("#GP: WRMSR of unsupported MSR 0x%x", msr));
          return;
        }
        break;
      }
    }
    if (c->stopping_) {  // the host ended the run; a RIP write would cancel the stop
      c->block_done_ = s->index + 1u;
      return;
    }
    c->block_done_ = s->index + 1u;  // the block is left right after this instruction
    c->exact_retired_ = c->block_base_ + c->block_done_;
    c->set_rip(address + s->length);  // skip the native instruction
  }

  static uint32_t in(uc_engine*, uint32_t port, int size, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return 0;
    c->enter_io();
    return c->host_.port_in(static_cast<uint16_t>(port), static_cast<unsigned>(size));
  }

  static void out(uc_engine*, uint32_t port, int size, uint32_t value, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return;
    c->enter_io();
    c->host_.port_out(static_cast<uint16_t>(port), static_cast<unsigned>(size), value);
  }

  static uint64_t mmio_read(uc_engine*, uint64_t offset, unsigned size, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return 0;
    return c->host_.mmio_read(c->mmio_base_ + offset, size);
  }

  static void mmio_write(uc_engine*, uint64_t offset, unsigned size, uint64_t value, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return;
    c->host_.mmio_write(c->mmio_base_ + offset, size, value);
  }

  static int cpuid(uc_engine*, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return 1;
    uint64_t rip = c->rip();
    int k = c->index_in_block(rip);
    if (k >= 0) c->exact_retired_ = c->block_base_ + static_cast<uint64_t>(k);
    c->cur_rip_ = rip;
    uint32_t regs[4];
    if (!c->host_.cpuid(static_cast<uint32_t>(c->reg(UC_X86_REG_EAX)), static_cast<uint32_t>(c->reg(UC_X86_REG_ECX)),
                        regs))
      return 0;
    bool wide = c->mode_ == CpuMode::kLong64;
    c->set_reg(wide ? UC_X86_REG_RAX : UC_X86_REG_EAX, regs[0]);
    c->set_reg(wide ? UC_X86_REG_RBX : UC_X86_REG_EBX, regs[1]);
    c->set_reg(wide ? UC_X86_REG_RCX : UC_X86_REG_ECX, regs[2]);
    c->set_reg(wide ? UC_X86_REG_RDX : UC_X86_REG_EDX, regs[3]);
    return 1;
  }

  static void intr(uc_engine*, uint32_t intno, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return;
    uint64_t rip = c->rip();
    // Software interrupts arrive with RIP already past the instruction; faults with RIP at it.
    uint8_t prev[2] = {0, 0};
    bool soft = false;
    if (rip >= 2 && c->read_memory(rip - 2, prev, 2) && prev[0] == 0xCD && prev[1] == intno) soft = true;
    if (!soft && rip >= 1 && c->read_memory(rip - 1, prev, 1) &&
        ((prev[0] == 0xCC && intno == 3) || (prev[0] == 0xCE && intno == 4)))
      soft = true;
    if (soft) {
      int k = c->index_in_block(rip - (prev[0] == 0xCD ? 2 : 1));
      if (k >= 0) {
        c->block_done_ = static_cast<uint32_t>(k) + 1;
        c->exact_retired_ = c->block_base_ + c->block_done_;
      }
      if (c->host_.software_interrupt(intno, rip)) return;
      c->end_run_with_fault(intno, rip - (prev[0] == 0xCD ? 2 : 1), 0,
                            strfmt("software interrupt %u with no usable IDT gate", intno));
      return;
    }
    int k = c->index_in_block(rip);
    if (k >= 0) c->block_done_ = static_cast<uint32_t>(k);  // the faulting instruction did not retire
    c->exact_retired_ = c->block_base_ + c->block_done_;
    uint64_t cr2 = intno == 14 ? c->reg(UC_X86_REG_CR2) : 0;
    static const char* kNames[] = {"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
                                   "#BR bound range", "#UD invalid opcode", "#NM device not available",
                                   "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
                                   "#NP segment not present", "#SS stack fault", "#GP general protection",
                                   "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
                                   "#MC machine check", "#XM SIMD error"};
    std::string name = intno < sizeof(kNames) / sizeof(kNames[0]) ? kNames[intno] : strfmt("exception %u", intno);
    c->end_run_with_fault(intno, rip, cr2, name);
  }

  static bool invalid(uc_engine*, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return true;
    uint64_t rip = c->rip();
    uint8_t bytes[kMaxInsnBytes] = {};
    unsigned avail = kMaxInsnBytes;
    while (avail && !c->read_memory(rip, bytes, avail)) --avail;
    int k = c->index_in_block(rip);
    if (k >= 0) {
      c->block_done_ = static_cast<uint32_t>(k);
      c->exact_retired_ = c->block_base_ + c->block_done_;
    }
    c->cur_rip_ = rip;
    if (c->host_.invalid_opcode(rip, bytes, avail)) {
      if (!c->stopping_) {
        c->block_done_ += 1;  // the handled instruction retires
        c->exact_retired_ = c->block_base_ + c->block_done_;
        c->resume_after_invalid_ = true;
      }
      return true;
    }
    c->end_run_with_fault(6, rip, 0,
                          strfmt("#UD invalid opcode (bytes %02x %02x %02x)", bytes[0], bytes[1], bytes[2]));
    return true;
  }

  static bool unmapped(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t, void* ud) {
    auto* c = static_cast<X86Core*>(ud);
    if (c->stopping_) return false;
    const char* what = type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch" : type == UC_MEM_WRITE_UNMAPPED ? "write" : "read";
    // Unicorn's RIP here is the block start (cpu_loop_exit without restore): keep what surely
    // retired (up to the last I/O or special instruction of this block) and name the block start.
    c->block_done_ = static_cast<uint32_t>(c->exact_retired_ - c->block_base_);
    if (c->cur_block_) c->cur_rip_ = c->cur_block_->address;
    c->end_run_with_fault(14, c->cur_rip_, address,
                          strfmt("%s of %d bytes at unmapped physical address 0x%llx", what, size,
                                 static_cast<unsigned long long>(address)));
    return false;
  }
};

X86Core::X86Core(CpuMode mode, X86CoreHost& host) : mode_(mode), host_(host) {
  check(uc_open(UC_ARCH_X86, mode == CpuMode::kLong64 ? UC_MODE_64 : UC_MODE_32, &uc_), "uc_open");
  csh cs;
  if (cs_open(CS_ARCH_X86, mode == CpuMode::kLong64 ? CS_MODE_64 : CS_MODE_32, &cs) != CS_ERR_OK)
    throw std::runtime_error("capstone: cs_open failed");
  capstone_ = cs;
  uc_hook h;
  check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&X86CoreHooks::block), this, 1, 0), "block hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&X86CoreHooks::in), this, 1, 0, UC_X86_INS_IN),
        "in hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&X86CoreHooks::out), this, 1, 0, UC_X86_INS_OUT),
        "out hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&X86CoreHooks::cpuid), this, 1, 0,
                    UC_X86_INS_CPUID),
        "cpuid hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&X86CoreHooks::intr), this, 1, 0), "intr hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_INSN_INVALID, reinterpret_cast<void*>(&X86CoreHooks::invalid), this, 1, 0),
        "invalid-insn hook");
  check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&X86CoreHooks::unmapped), this, 1, 0),
        "unmapped hook");
}

X86Core::~X86Core() {
  if (uc_) uc_close(uc_);
  if (scratch_) uc_close(scratch_);
  if (capstone_) {
    csh cs = capstone_;
    cs_close(&cs);
  }
}

void X86Core::map_ram(uint64_t base, uint64_t size, uint8_t* host) {
  check(uc_mem_map_ptr(uc_, base, size, UC_PROT_ALL, host), "map RAM");
  ram_ = host;
  ram_base_ = base;
  ram_size_ = size;
}

void X86Core::map_mmio(uint64_t base, uint64_t size) {
  if (mmio_base_set_) throw std::logic_error("X86Core: one MMIO window only");
  mmio_base_ = base;
  mmio_base_set_ = true;
  check(uc_mmio_map(uc_, base, size, &X86CoreHooks::mmio_read, this, &X86CoreHooks::mmio_write, this), "map MMIO");
}

void X86Core::set_boot_state(const X86BootState& s) {
  uc_x86_mmr gdtr{};
  gdtr.base = s.gdt_base;
  gdtr.limit = s.gdt_limit;
  check(uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr), "GDTR");
  if (s.mode == CpuMode::kLong64) {
    set_reg(UC_X86_REG_CR3, s.cr3);
    set_reg(UC_X86_REG_CR4, 0x20);        // PAE
    set_reg(UC_X86_REG_CR0, 0x80000011);  // PG | ET | PE
  } else {
    set_reg(UC_X86_REG_CR0, 0x11);  // ET | PE, paging off (Multiboot entry state)
  }
  set_reg(UC_X86_REG_CS, s.code_selector);
  for (int r : {UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS}) set_reg(r, s.data_selector);
  set_reg(UC_X86_REG_EFLAGS, 0x2);  // IF = 0
  set_reg(s.mode == CpuMode::kLong64 ? UC_X86_REG_RAX : UC_X86_REG_EAX, s.rax);
  set_reg(s.mode == CpuMode::kLong64 ? UC_X86_REG_RBX : UC_X86_REG_EBX, s.rbx);
  set_reg(s.mode == CpuMode::kLong64 ? UC_X86_REG_RSP : UC_X86_REG_ESP, s.rsp);
  set_rip(s.entry);
}

namespace {
// STI, POP SS (0x17) and MOV SS, r/m (0x8E with ModRM.reg = 2, segment register 2 = SS), after any
// prefixes: each blocks interrupts until the next instruction has run.
bool starts_interrupt_shadow(unsigned id, const uint8_t* bytes, unsigned size) {
  if (id == X86_INS_STI) return true;
  unsigned i = 0;
  while (i < size && (bytes[i] == 0x66 || bytes[i] == 0x67 || bytes[i] == 0x26 || bytes[i] == 0x2E ||
                      bytes[i] == 0x36 || bytes[i] == 0x3E || bytes[i] == 0x64 || bytes[i] == 0x65))
    ++i;
  if (id == X86_INS_POP && i < size && bytes[i] == 0x17) return true;
  return id == X86_INS_MOV && i + 1 < size && bytes[i] == 0x8E && ((bytes[i + 1] >> 3) & 7) == 2;
}
}  // namespace

X86Core::Block& X86Core::decode(uint64_t address, uint32_t size) {
  auto b = std::make_unique<Block>();
  b->address = address;
  std::vector<uint8_t> bytes(size);
  if (size && uc_mem_read(uc_, address, bytes.data(), size) == UC_ERR_OK) {
    csh cs = capstone_;
    cs_insn* insn = cs_malloc(cs);
    const uint8_t* code = bytes.data();
    size_t left = size;
    uint64_t pc = address;
    while (cs_disasm_iter(cs, &code, &left, &pc, insn)) {
      uint16_t idx = static_cast<uint16_t>(b->insn_addr.size());
      b->insn_addr.push_back(insn->address);
      if (is_io_insn(insn->id)) b->io_index.push_back(idx);
      Special kind;
      bool special = true;
      switch (insn->id) {
        case X86_INS_RDTSC: kind = Special::kRdtsc; break;
        case X86_INS_RDTSCP: kind = Special::kRdtscp; break;
        case X86_INS_RDMSR: kind = Special::kRdmsr; break;
        case X86_INS_WRMSR: kind = Special::kWrmsr; break;
        default: special = false; kind = Special::kRdtsc; break;
      }
      if (special) b->specials.push_back({insn->address, idx, static_cast<uint8_t>(insn->size), kind});
      bool rep_string = is_rep_string(insn->bytes, insn->size);
      b->last_rep = rep_string ? insn->address : 0;
      b->shadow_after = starts_interrupt_shadow(insn->id, insn->bytes, insn->size);
    }
    cs_free(insn, 1);
  }
  b->rep_only = b->insn_addr.size() == 1 && b->last_rep == address;
  b->bytes = std::move(bytes);
  if (b->insn_addr.empty()) {
    // Capstone could not decode what Unicorn translated: fall back to Unicorn's own count.
    uc_tb tb{};
    if (uc_ctl_request_cache(uc_, address, &tb) == UC_ERR_OK) b->icount = tb.icount;
    HVSIM_WARN("cpu", "cannot decode block at 0x%llx (%u bytes); instruction positions unknown",
               static_cast<unsigned long long>(address), size);
  } else {
    b->icount = static_cast<uint32_t>(b->insn_addr.size());
  }
  uint64_t key = address | (static_cast<uint64_t>(size) << kBlockKeySizeShift);
  auto& slot = blocks_[key];
  slot = std::move(b);
  return *slot;
}

bool X86Core::still_valid(const Block& b) const {
  if (!ram_ || b.address < ram_base_ || b.address - ram_base_ + b.bytes.size() > ram_size_) return true;
  return std::memcmp(ram_ + (b.address - ram_base_), b.bytes.data(), b.bytes.size()) == 0;
}

bool X86Core::install_special_hooks(const Block& b) {
  bool added = false;
  for (auto& s : b.specials) {
    if (special_hooked_.count(s.address)) continue;
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&X86CoreHooks::special), this, s.address,
                      s.address),
          "special-instruction hook");
    // uc_hook_add does not flush translations: drop every block overlapping the instruction.
    uc_ctl_remove_cache(uc_, s.address, s.address + s.length);
    special_hooked_[s.address] = 1;
    ++special_hook_count_;
    added = true;
  }
  return added;
}

void X86Core::enter_io() {
  if (cur_block_ && io_seen_ < cur_block_->io_index.size()) {
    uint16_t k = cur_block_->io_index[io_seen_++];
    exact_retired_ = block_base_ + k + 1u;
    cur_rip_ = cur_block_->insn_addr[k];
  }
}

int X86Core::index_in_block(uint64_t rip) const {
  if (!cur_block_) return -1;
  auto& a = cur_block_->insn_addr;
  auto it = std::lower_bound(a.begin(), a.end(), rip);
  if (it == a.end() || *it != rip) return -1;
  return static_cast<int>(it - a.begin());
}

void X86Core::end_run_with_fault(unsigned vector, uint64_t rip, uint64_t cr2, const std::string& what) {
  fault_ = Fault{vector, rip, cr2, what};
  stopping_ = true;
  stop_ = Stop::kFault;
  uc_emu_stop(uc_);
}

void X86Core::request_stop() {
  if (stopping_) return;
  block_done_ = static_cast<uint32_t>(exact_retired_ - block_base_);  // the run ends at this very point
  stopping_ = true;
  stop_ = Stop::kStopRequested;
  uc_emu_stop(uc_);
}

X86Core::Stop X86Core::run() {
  while (!stopping_) {
    uint64_t start = rip();
    uc_err err = uc_emu_start(uc_, start, UINT64_MAX, 0, 0);
    block_base_ += block_done_;  // the last block ran to the point where emulation left it
    block_done_ = 0;
    exact_retired_ = block_base_;
    cur_block_ = nullptr;
    if (stopping_) break;
    if (resume_after_invalid_) {  // a handled VMCALL-like opcode: continue where the host put RIP
      resume_after_invalid_ = false;
      continue;
    }
    if (err != UC_ERR_OK) {
      error_ = strfmt("%s at RIP 0x%llx", uc_strerror(err), static_cast<unsigned long long>(rip()));
      stop_ = Stop::kError;
      stopping_ = true;
      break;
    }
    uint8_t prev = 0;
    uint64_t r = rip();
    if (r >= 1 && read_memory(r - 1, &prev, 1) && prev == 0xF4) return Stop::kHalt;
    error_ = strfmt("emulation stopped without a reason at RIP 0x%llx", static_cast<unsigned long long>(r));
    stop_ = Stop::kError;
    stopping_ = true;
  }
  return stop_;
}

uint64_t X86Core::reg(int uc_reg) const {
  uint64_t v = 0;
  uc_reg_read(uc_, uc_reg, &v);
  return v;
}

void X86Core::set_reg(int uc_reg, uint64_t value) { check(uc_reg_write(uc_, uc_reg, &value), "register write"); }

namespace {
int uc_gpr(X86Core::Gpr r, bool wide) {
  switch (r) {
    case X86Core::Gpr::kRax: return wide ? UC_X86_REG_RAX : UC_X86_REG_EAX;
    case X86Core::Gpr::kRbx: return wide ? UC_X86_REG_RBX : UC_X86_REG_EBX;
    case X86Core::Gpr::kRcx: return wide ? UC_X86_REG_RCX : UC_X86_REG_ECX;
    case X86Core::Gpr::kRdx: return wide ? UC_X86_REG_RDX : UC_X86_REG_EDX;
    case X86Core::Gpr::kRsi: return wide ? UC_X86_REG_RSI : UC_X86_REG_ESI;
    case X86Core::Gpr::kRdi: return wide ? UC_X86_REG_RDI : UC_X86_REG_EDI;
    case X86Core::Gpr::kR8: return UC_X86_REG_R8;
  }
  return UC_X86_REG_INVALID;
}
}  // namespace

uint64_t X86Core::gpr(Gpr r) const {
  uint64_t v = reg(uc_gpr(r, mode_ == CpuMode::kLong64));
  return mode_ == CpuMode::kLong64 ? v : v & 0xFFFFFFFFu;
}

void X86Core::set_gpr(Gpr r, uint64_t value) { set_reg(uc_gpr(r, mode_ == CpuMode::kLong64), value); }

uint64_t X86Core::rip() const { return reg(mode_ == CpuMode::kLong64 ? UC_X86_REG_RIP : UC_X86_REG_EIP); }

void X86Core::set_rip(uint64_t r) { set_reg(mode_ == CpuMode::kLong64 ? UC_X86_REG_RIP : UC_X86_REG_EIP, r); }

bool X86Core::interrupts_enabled() const { return reg(UC_X86_REG_EFLAGS) & 0x200; }

void X86Core::native_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
  uint64_t key = static_cast<uint64_t>(leaf) << 32 | subleaf;
  auto hit = cpuid_cache_.find(key);
  if (hit == cpuid_cache_.end()) {
    if (!scratch_) {
      check(uc_open(UC_ARCH_X86, mode_ == CpuMode::kLong64 ? UC_MODE_64 : UC_MODE_32, &scratch_), "scratch uc_open");
      check(uc_mem_map(scratch_, 0, 4096, UC_PROT_ALL), "scratch map");
      static const uint8_t kCode[] = {0x0F, 0xA2, 0xF4};  // cpuid; hlt
      check(uc_mem_write(scratch_, 0, kCode, sizeof(kCode)), "scratch code");
    }
    // 64-bit register names are rejected in 32-bit mode: use the mode's own names.
    bool wide = mode_ == CpuMode::kLong64;
    uint64_t a = leaf, c = subleaf, zero = 0;
    check(uc_reg_write(scratch_, wide ? UC_X86_REG_RAX : UC_X86_REG_EAX, &a), "scratch eax");
    check(uc_reg_write(scratch_, wide ? UC_X86_REG_RCX : UC_X86_REG_ECX, &c), "scratch ecx");
    check(uc_reg_write(scratch_, wide ? UC_X86_REG_RBX : UC_X86_REG_EBX, &zero), "scratch ebx");
    check(uc_reg_write(scratch_, wide ? UC_X86_REG_RDX : UC_X86_REG_EDX, &zero), "scratch edx");
    check(uc_emu_start(scratch_, 0, UINT64_MAX, 0, 0), "scratch cpuid");
    std::array<uint32_t, 4> r{};
    int ids[4] = {UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX};
    for (int i = 0; i < 4; ++i) uc_reg_read(scratch_, ids[i], &r[static_cast<size_t>(i)]);
    hit = cpuid_cache_.emplace(key, r).first;
  }
  for (int i = 0; i < 4; ++i) regs[i] = hit->second[static_cast<size_t>(i)];
}

bool X86Core::deliver_interrupt(uint8_t vector, uint64_t return_rip, std::string& why) {
  uc_x86_mmr idtr{};
  uc_reg_read(uc_, UC_X86_REG_IDTR, &idtr);
  bool wide = mode_ == CpuMode::kLong64;
  unsigned gate_size = wide ? 16 : 8;
  if (static_cast<uint64_t>(vector) * gate_size + gate_size - 1 > idtr.limit) {
    why = strfmt("vector %u is beyond the IDT limit 0x%x", vector, idtr.limit);
    return false;
  }
  uint8_t g[16] = {};
  if (!read_memory(idtr.base + static_cast<uint64_t>(vector) * gate_size, g, gate_size)) {
    why = "IDT is not in guest memory";
    return false;
  }
  uint8_t attr = g[5];
  unsigned type = attr & 0xF;
  if (!(attr & 0x80)) {
    why = strfmt("IDT gate %u is not present", vector);
    return false;
  }
  if (type != 0xE && type != 0xF) {  // interrupt or trap gate (task gates are not modeled)
    why = strfmt("IDT gate %u has unsupported type 0x%x", vector, type);
    return false;
  }
  uint16_t selector = static_cast<uint16_t>(g[2] | g[3] << 8);
  uint64_t offset = static_cast<uint64_t>(g[0] | g[1] << 8) | static_cast<uint64_t>(g[6] | g[7] << 8) << 16;
  uint64_t flags = reg(UC_X86_REG_EFLAGS);
  uint64_t cs = reg(UC_X86_REG_CS);
  if (wide) {
    offset |= static_cast<uint64_t>(g[8] | g[9] << 8 | g[10] << 16 | static_cast<uint32_t>(g[11]) << 24) << 32;
    uint64_t rsp = reg(UC_X86_REG_RSP), ss = reg(UC_X86_REG_SS);
    uint64_t frame[5] = {return_rip, cs, flags, rsp, ss};  // pushed SS, RSP, RFLAGS, CS, RIP
    uint64_t sp = (rsp & ~0xFull) - sizeof(frame);
    if (!write_memory(sp, frame, sizeof(frame))) {
      why = "interrupt stack is not in guest memory";
      return false;
    }
    set_reg(UC_X86_REG_RSP, sp);
  } else {
    uint32_t frame[3] = {static_cast<uint32_t>(return_rip), static_cast<uint32_t>(cs), static_cast<uint32_t>(flags)};
    uint64_t sp = (reg(UC_X86_REG_ESP) & 0xFFFFFFFFu) - sizeof(frame);
    if (!write_memory(sp, frame, sizeof(frame))) {
      why = "interrupt stack is not in guest memory";
      return false;
    }
    set_reg(UC_X86_REG_ESP, sp);
  }
  constexpr uint64_t kIf = 1u << 9, kTf = 1u << 8, kNt = 1u << 14, kRf = 1u << 16;
  uint64_t new_flags = flags & ~(kTf | kNt | kRf);
  if (type == 0xE) new_flags &= ~kIf;  // interrupt gates block further interrupts; trap gates do not
  set_reg(UC_X86_REG_EFLAGS, new_flags);
  if (selector != cs) set_reg(UC_X86_REG_CS, selector);
  set_rip(offset);
  return true;
}

uint64_t X86Core::native_msr(uint32_t msr) const {
  uc_x86_msr m{msr, 0};
  uc_reg_read(uc_, UC_X86_REG_MSR, &m);
  return m.value;
}

void X86Core::set_native_msr(uint32_t msr, uint64_t value) {
  uc_x86_msr m{msr, value};
  check(uc_reg_write(uc_, UC_X86_REG_MSR, &m), "MSR write");
}

bool X86Core::read_memory(uint64_t address, void* out, size_t size) const {
  return uc_mem_read(uc_, address, out, size) == UC_ERR_OK;
}

bool X86Core::write_memory(uint64_t address, const void* in, size_t size) {
  return uc_mem_write(uc_, address, in, size) == UC_ERR_OK;
}

}  // namespace hvsim
