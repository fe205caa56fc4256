#include "tests/unit/test_kernel.h"

#include <elf.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "models/core/params.h"
#include "models/core/stats.h"

namespace hvsim::testkit {

// ---- Code ------------------------------------------------------------------------------------

Code& Code::operator()(std::initializer_list<uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

Code& Code::d(uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}

Code& Code::w(uint16_t v) {
  for (int i = 0; i < 2; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}

Code& Code::q(uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}

Code& Code::rel8(uint64_t target) {
  int64_t rel = static_cast<int64_t>(target) - static_cast<int64_t>(here() + 1);
  if (rel < -128 || rel > 127) throw std::logic_error("testkit::Code: short jump out of range");
  bytes_.push_back(static_cast<uint8_t>(static_cast<int8_t>(rel)));
  return *this;
}

Code& Code::rel32(uint64_t target) {
  int64_t rel = static_cast<int64_t>(target) - static_cast<int64_t>(here() + 4);
  if (rel < INT32_MIN || rel > INT32_MAX) throw std::logic_error("testkit::Code: near jump out of range");
  return d(static_cast<uint32_t>(static_cast<int32_t>(rel)));
}

Code& Code::repeat(std::initializer_list<uint8_t> bytes, unsigned n) {
  for (unsigned i = 0; i < n; ++i) (*this)(bytes);
  return *this;
}

// ---- ELF -------------------------------------------------------------------------------------

KernelSpec KernelSpec::elf32(const Code& code) {
  KernelSpec s;
  s.segments.push_back({code.base(), code.bytes(), 0});
  s.entry = code.base();
  return s;
}

KernelSpec KernelSpec::elf64(const Code& code) {
  KernelSpec s = elf32(code);
  s.is_elf64 = true;
  return s;
}

KernelSpec& KernelSpec::with(uint64_t address, std::vector<uint8_t> bytes, uint64_t mem_size) {
  segments.push_back({address, std::move(bytes), mem_size});
  return *this;
}

namespace {
template <typename T>
void put(std::vector<uint8_t>& f, size_t off, const T& v) {
  if (f.size() < off + sizeof(T)) f.resize(off + sizeof(T), 0);
  std::memcpy(f.data() + off, &v, sizeof(T));
}

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

template <typename Ehdr, typename Phdr>
std::vector<uint8_t> build(const KernelSpec& spec, uint16_t machine, uint8_t elf_class) {
  std::vector<uint8_t> f;
  const size_t phoff = sizeof(Ehdr);
  size_t off = phoff + spec.segments.size() * sizeof(Phdr);
  // Multiboot v1 header (magic, flags, checksum), 4-byte aligned, well inside the first 8 KiB. It is
  // not part of a loaded segment: the loader searches the file, as GRUB and QEMU do.
  size_t mb = align_up(off, 16);
  off = mb + 16;
  if (spec.multiboot_header) {
    uint32_t magic = 0x1BADB002, flags = spec.multiboot_flags, sum = 0u - magic - flags;
    put(f, mb, magic);
    put(f, mb + 4, flags);
    put(f, mb + 8, sum);
  }
  Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = elf_class;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = spec.entry;
  eh.e_phoff = phoff;
  eh.e_ehsize = sizeof(Ehdr);
  eh.e_phentsize = sizeof(Phdr);
  eh.e_phnum = static_cast<uint16_t>(spec.segments.size());
  put(f, 0, eh);
  for (size_t i = 0; i < spec.segments.size(); ++i) {
    const Segment& s = spec.segments[i];
    off = align_up(off, 16);
    Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_W | PF_X;
    ph.p_offset = off;
    ph.p_vaddr = s.address;
    ph.p_paddr = s.address;
    ph.p_filesz = s.bytes.size();
    ph.p_memsz = s.mem_size ? s.mem_size : s.bytes.size();
    ph.p_align = 1;
    put(f, phoff + i * sizeof(Phdr), ph);
    if (f.size() < off + s.bytes.size()) f.resize(off + s.bytes.size(), 0);
    if (!s.bytes.empty()) std::memcpy(f.data() + off, s.bytes.data(), s.bytes.size());
    off += s.bytes.size();
  }
  return f;
}
}  // namespace

std::vector<uint8_t> make_kernel_image(const KernelSpec& spec) {
  if (spec.segments.empty()) throw std::logic_error("testkit: a kernel needs at least one segment");
  return spec.is_elf64 ? build<Elf64_Ehdr, Elf64_Phdr>(spec, EM_X86_64, ELFCLASS64)
                    : build<Elf32_Ehdr, Elf32_Phdr>(spec, EM_386, ELFCLASS32);
}

// ---- TempKernel ------------------------------------------------------------------------------

void TempKernel::make_dir() {
  char tmpl[] = "/tmp/hvsim-test-kernel-XXXXXX";
  const char* p = ::mkdtemp(tmpl);
  if (!p) throw std::runtime_error("testkit: mkdtemp failed");
  dir_ = p;
  path_ = dir_ + "/kernel.elf";
}

TempKernel::TempKernel(const KernelSpec& spec) : TempKernel(make_kernel_image(spec)) {}

TempKernel::TempKernel(const std::vector<uint8_t>& raw) {
  make_dir();
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  if (!out) throw std::runtime_error("testkit: cannot write " + path_);
}

TempKernel::TempKernel() {
  make_dir();
  path_ = dir_ + "/no-such-kernel.elf";
}

TempKernel::~TempKernel() {
  if (std::getenv("HVSIM_KEEP_TEST_KERNELS")) {  // debugging: keep the file for objdump
    std::fprintf(stderr, "testkit: kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

// ---- RecordingTarget -------------------------------------------------------------------------

RecordingTarget::RecordingTarget(const sc_core::sc_module_name& name) : sc_module(name), socket("socket") {
  socket.register_b_transport(this, &RecordingTarget::b_transport);
}

void RecordingTarget::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
  ++count;
  const uint64_t addr = t.get_address();
  const unsigned len = t.get_data_length();
  if (len > 8) {
    t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  Access a;
  a.write = t.is_write();
  a.address = addr;
  a.size = len;
  a.instructions = cpu ? cpu->instructions() : 0;
  a.cycles = cpu ? cpu->cycles() : 0;
  a.local_time = sc_core::sc_time_stamp() + d;  // the initiator's time of the access
  if (sync_first) {
    sc_core::wait(d);
    d = sc_core::SC_ZERO_TIME;
  }
  if (wait_inside != sc_core::SC_ZERO_TIME) sc_core::wait(wait_inside);
  if (t.is_read()) {
    auto it = read_values.find(addr);
    a.value = it == read_values.end() ? 0 : it->second;
    std::memcpy(t.get_data_ptr(), &a.value, len);
    if (len < 8) a.value &= (1ull << (8 * len)) - 1;
  } else {
    std::memcpy(&a.value, t.get_data_ptr(), len);
  }
  auto it = delay_at.find(addr);
  d += it == delay_at.end() ? delay : it->second;
  t.set_response_status(error_at.count(addr) ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
  if (record) {
    log.push_back(a);
    if (on_access) on_access(a);
  }
}

// ---- CpuBench --------------------------------------------------------------------------------

CpuBench::Overrides::Overrides(const std::string& kernel, const std::map<std::string, std::string>& params) {
  auto& reg = ParamRegistry::instance();
  const SourceLoc where{"testkit::CpuBench", 0, ""};
  reg.set_override("cpu.kernel", kernel, where);
  for (auto& [key, value] : params) reg.set_override("cpu." + key, value, where);
}

CpuBench::CpuBench(const std::string& kernel_path, const std::map<std::string, std::string>& cpu_params,
                   uint64_t ram_size_bytes)
    : overrides_(kernel_path, cpu_params),
      ram_size(ram_size_bytes),
      ram("ram", ram_size_bytes),
      mem_bus("mem_bus"),
      io_bus("io_bus"),
      cpu("cpu"),
      ports("ports"),
      mmio("mmio") {
  cpu.mem.bind(mem_bus.target_socket);
  cpu.io.bind(io_bus.target_socket);
  mem_bus.map(0, ram_size, ram.socket, "ram");
  mem_bus.map(kMmioBase, kMmioSize, mmio.socket, "mmio");
  io_bus.map(0, 0x10000, ports.socket, "ports");  // every port: the target sees the port number
  ports.cpu = &cpu;
  mmio.cpu = &cpu;
}

void CpuBench::run() {
  cpu.prepare(ram_size);
  sc_core::sc_start();
}

uint64_t CpuBench::ram_u32(uint64_t address) const {
  uint32_t v;
  std::memcpy(&v, const_cast<Memory&>(ram).data() + address, 4);
  return v;
}

StderrCapture::StderrCapture() {
  char tmpl[] = "/tmp/hvsim-stderr-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("testkit: mkstemp failed");
  path_ = tmpl;
  std::fflush(stderr);
  saved_ = ::dup(2);
  ::dup2(fd, 2);
  ::close(fd);
}

std::string StderrCapture::text() {
  if (!done_) {
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    done_ = true;
  }
  std::ifstream in(path_);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

StderrCapture::~StderrCapture() {
  text();
  ::unlink(path_.c_str());
}

uint64_t counter(const std::string& name) {
  const auto* c = dynamic_cast<const Counter*>(StatsRegistry::instance().find(name));
  if (!c) throw std::out_of_range("no counter named " + name);
  return c->value();
}

}  // namespace hvsim::testkit
