// The named cost components of VM exits, hypercalls and interrupt virtualization, in cycles of the
// vCPU clock. Defaults are the "modern Intel" column of shared/specs/calibration.md section 3; the
// profiles in profiles/*.yaml set every value with its source row. An exit costs the sum of the
// components on its path, e.g. a root-forwarded port write:
//   exit.hw_roundtrip + exit.dispatch + root.forward + root.device_emulation + device delay + root.return
#pragma once

#include "models/core/params.h"

namespace hvsim {

struct CostProfile {
  // Every hypervisor exit.
  Param<uint64_t> exit_hw_roundtrip{"hv.exit.hw_roundtrip", 700, "cycles",
                                    "VM exit + VM entry in hardware (calibration 3: vmx_roundtrip_hw, X4/H1 split)"};
  Param<uint64_t> exit_dispatch{"hv.exit.dispatch", 600, "cycles",
                                "hypervisor exit dispatch software (calibration 3: exit_dispatch_sw = H1 - hw)"};
  // Work done inside the hypervisor, per reason (on top of round trip and dispatch).
  Param<uint64_t> mmio_decode{"hv.mmio.decode", 400, "cycles",
                              "instruction fetch and decode for an MMIO exit (calibration 3: mmio - pio kernel, A)"};
  Param<uint64_t> emulate_pio{"hv.emulate.pio", 700, "cycles",
                              "in-hypervisor port emulation (calibration 3: pio_exit_kernel_total 2000 - hw - dispatch, X4)"};
  Param<uint64_t> emulate_mmio{"hv.emulate.mmio", 700, "cycles",
                               "in-hypervisor MMIO device emulation, decode excluded (same device work as PIO, X4)"};
  Param<uint64_t> emulate_cpuid{"hv.emulate.cpuid", 0, "cycles",
                                "CPUID emulation beyond the fast exit path (calibration 2.1: cpuid ~ hypercall ~1.3k, H1)"};
  Param<uint64_t> emulate_msr{"hv.emulate.msr", 0, "cycles",
                              "synthetic MSR emulation beyond the fast exit path (fast-path exit, calibration 2.1)"};
  Param<uint64_t> hypercall_handler{"hv.hypercall.handler", 0, "cycles",
                                    "hypercall handler work beyond the fast path (hypercall_total 1300 = hw + dispatch, H1)"};
  // Root partition (device emulators and services in user space / the root OS).
  Param<uint64_t> root_forward{"hv.root.forward", 2000, "cycles",
                               "hand an exit to the root partition (half of userspace_exit_extra 4000, H7; split A)"};
  Param<uint64_t> root_return{"hv.root.return", 2000, "cycles",
                              "return from the root partition and re-enter the guest (other half of H7's 4000)"};
  Param<uint64_t> root_device_emulation{"hv.root.device_emulation", 450, "cycles",
                                        "root device-model work per forwarded access (calibration 3: device_model_work "
                                        "200-700, midpoint; H7)"};
  // DMA of emulated devices: the device model copies between guest memory and its buffers.
  Param<uint64_t> dma_setup{"hv.dma.setup", 300, "cycles",
                            "per DMA transfer of an emulated device: map and bounds-check the guest range "
                            "(QEMU address_space_map-style; no published figure, A)"};
  Param<uint64_t> dma_copy_cycles_per_kib{"hv.dma.copy_cycles_per_kib", 340, "cycles/KiB",
                                          "root-side memcpy of DMA data, ~9 GB/s at 3 GHz (A; order of P9-era "
                                          "DRAM streaming bandwidth, replace with a measured memcpy rate)"};
  // Interrupt virtualization.
  Param<uint64_t> irq_inject{"hv.irq.inject", 300, "cycles",
                             "event injection on VM entry (calibration 3: irq_inject_on_entry, A)"};
  Param<uint64_t> eoi_emulate{"hv.eoi.emulate", 200, "cycles",
                              "PIC/APIC EOI emulation (calibration 3: eoi_exit 1500 - hw - dispatch, I2)"};
  Param<bool> eoi_virtualized{"hv.eoi.virtualized", false, "",
                              "EOI handled without an exit (APICv / PV-EOI / SynIC AutoEOI style; calibration I2-I7)"};
  Param<uint64_t> eoi_virtual_cost{"hv.eoi.virtual_cost", 75, "cycles",
                                   "virtualized EOI cost when no exit is taken (calibration 3: eoi_virtualized 50-100)"};
};

}  // namespace hvsim
