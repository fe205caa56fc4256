// Disk images: the one include for code that opens an image for an emulated disk.
//
// open_disk_image() is what the platform builder calls for a disk's `image`, `format`, `snapshot`
// and `read_only` parameters. Every problem with the image (missing, unreadable, not writable,
// wrongly sized, bad or unsupported VHD, another container format, locked) is a ConfigError thrown
// before simulation starts. After that, backends never throw: a failed request returns false.
#pragma once

#include <memory>
#include <string>

#include "models/core/params.h"
#include "models/ide/image_backend.h"
#include "models/ide/image_cow.h"
#include "models/ide/image_memory.h"
#include "models/ide/image_raw.h"
#include "models/ide/image_vhd.h"

namespace hvsim {

// format: "auto" (a "conectix" cookie in the last 512 bytes means a fixed VHD, otherwise raw; files
// that start like qcow/qcow2, VHDX, VMDK or VDI are refused), "raw" or "vhd".
// snapshot: the file is opened read-only and writes go to an in-memory CowOverlay (discarded at
// exit). read_only: writes fail (with snapshot too: the overlay is skipped).
// where: the configuration source, prefixed to error messages (empty = none).
std::unique_ptr<BlockBackend> open_disk_image(const std::string& path, const std::string& format = "auto",
                                              bool snapshot = false, bool read_only = false,
                                              const SourceLoc& where = SourceLoc{});

// The format "auto" resolves to for `path`: "raw" or "vhd". Throws ConfigError as open_disk_image.
std::string detect_image_format(const std::string& path, const SourceLoc& where = SourceLoc{});

}  // namespace hvsim
