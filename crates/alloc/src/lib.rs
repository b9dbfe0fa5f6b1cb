//! [`MiMalloc`]: mimalloc as Rust's global allocator, asking it for plain allocations
//! whenever a layout's alignment is one mimalloc gives every block anyway.
//!
//! Written here rather than taken from the `mimalloc` crate, whose allocator sends every
//! request through `mi_malloc_aligned`. In mimalloc v3 that call only stays on the fast
//! path while the size's page has a free block; otherwise, for block sizes that are not a
//! power of two (48, 80, 96 bytes, ...), it over-allocates from a larger size class. In
//! `reelcast serve` that was about 30 allocations per `/predict/movie` request at about
//! 70 instructions each, three or four of them over-allocated (callgrind; see
//! docs/benchmarks.md, "HTTP serving"). Plain `mi_malloc` serves the same requests from
//! their own size class. Layouts with larger alignments still go to the aligned calls.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as ffi;

/// The largest alignment mimalloc gives blocks by itself: `MI_MAX_ALIGN_SIZE`. A page's
/// first block is 16-byte aligned and the size classes are 8 bytes, 16 bytes, then
/// multiples of 16 (on 64-bit targets; 32-bit ones add a 4-byte class), so a block of
/// `size` bytes is aligned to every power of two up to 16 that is not larger than `size`.
/// Hence the rule `align <= PLAIN_ALIGN && align <= size`, the one `std`'s own allocator
/// applies to `malloc`; the tests check it for every size up to 4 KiB.
const PLAIN_ALIGN: usize = 16;

/// Whether `size` bytes at `align` can be served by the plain (unaligned) calls.
#[inline]
fn plain(size: usize, align: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

/// mimalloc as a [`GlobalAlloc`] (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct MiMalloc;

// SAFETY: every pointer returned comes from mimalloc with at least the layout's size and
// alignment (plain calls only when the block's natural alignment covers it, see
// `PLAIN_ALIGN`), and every pointer freed or reallocated came from this allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.size(), layout.align()) {
            ffi::mi_malloc(layout.size()).cast()
        } else {
            ffi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.size(), layout.align()) {
            ffi::mi_zalloc(layout.size()).cast()
        } else {
            ffi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        ffi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(new_size, layout.align()) {
            ffi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            ffi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    /// Every size up to 4 KiB (and some larger) at every alignment up to 4 KiB, allocated
    /// many times over so that blocks come from fresh and reused pages alike: each block
    /// is aligned, writable over its whole size, and freed.
    #[test]
    fn blocks_are_aligned_for_every_size_and_alignment() {
        let sizes = (1..=4096).chain([6000, 65_536, 100_000, 1 << 20]);
        for size in sizes {
            for shift in 0..=12 {
                let align = 1usize << shift;
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                let zeroed = size % 3 == 0;
                let blocks: Vec<*mut u8> = (0..8)
                    .map(|_| {
                        // SAFETY: the layout has a non-zero size.
                        let p = unsafe {
                            if zeroed {
                                MiMalloc.alloc_zeroed(layout)
                            } else {
                                MiMalloc.alloc(layout)
                            }
                        };
                        assert!(!p.is_null(), "{size} bytes at {align}");
                        assert_eq!(p as usize % align, 0, "{size} bytes at {align}");
                        // SAFETY: `p` holds `size` bytes.
                        unsafe {
                            if zeroed {
                                assert!(std::slice::from_raw_parts(p, size)
                                    .iter()
                                    .all(|&b| b == 0));
                            }
                            std::ptr::write_bytes(p, 0xA5, size);
                        }
                        p
                    })
                    .collect();
                for p in blocks {
                    // SAFETY: allocated above with this layout.
                    unsafe { MiMalloc.dealloc(p, layout) };
                }
            }
        }
    }

    /// Growing and shrinking keeps the contents and the alignment, across the plain and
    /// the aligned calls.
    #[test]
    fn realloc_keeps_contents_and_alignment() {
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            let mut size = align.max(1);
            let mut layout = Layout::from_size_align(size, align).expect("valid layout");
            // SAFETY: non-zero size.
            let mut p = unsafe { MiMalloc.alloc(layout) };
            // SAFETY: `p` holds `size` bytes.
            unsafe { std::ptr::write_bytes(p, 7, size) };
            for new_size in [3 * size, 48, 80, 1000, 17, 5000, 24, align] {
                // SAFETY: `p` came from this allocator with `layout`; the new size is non-zero.
                p = unsafe { MiMalloc.realloc(p, layout, new_size) };
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "{new_size} bytes at {align}");
                let kept = size.min(new_size);
                // SAFETY: `p` holds at least `kept` initialised bytes.
                let bytes = unsafe { std::slice::from_raw_parts(p, kept) };
                assert!(bytes.iter().all(|&b| b == 7), "{new_size} bytes at {align}");
                size = new_size;
                layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: `p` holds `size` bytes.
                unsafe { std::ptr::write_bytes(p, 7, size) };
            }
            // SAFETY: allocated by this allocator with `layout`.
            unsafe { MiMalloc.dealloc(p, layout) };
        }
    }
}
