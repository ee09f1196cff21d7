#pragma once
// Keeps freed tensor memory in the process instead of returning it to the OS after every op.
//
// Measured (TOOLCHAIN-style, on the 2-core VM): glibc hands allocations above its mmap threshold
// back to the kernel when they are freed, and trims the heap top eagerly, so every activation of a
// transformer layer (~1 MB each at 400 tokens) is a fresh mapping whose pages fault in again. Page
// faults are expensive on these VMs: the demo-size Llama MLP took 13 ms per call that way and
// 2.2 ms with M_MMAP_THRESHOLD = 64 MB and M_TRIM_THRESHOLD = 512 MB (PyTorch's Python build hid
// the effect). Allocations above 64 MB (weights of large models) still get their own mappings.

namespace egmf {

/// Idempotent; called when the first model is built. Process-wide (mallopt).
void tuneAllocatorForInference();

}  // namespace egmf
