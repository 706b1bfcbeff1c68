//! The masking fast path (RFC 6455 section 5.3).
//!
//! `transformed[i] = original[i] XOR key[i mod 4]`. The work is done on 64-bit words
//! (four per step, which the compiler turns into SIMD XORs) with a scalar tail. The only
//! `unsafe` of the codec is the `set_len` of [`extend_masked`], after its loop initialised the
//! bytes (a copy-and-unmask in one pass, without zeroing the destination first).

/// XOR `buf` in place with `mask`, as if `buf` started at byte `offset` of the payload, so that
/// unmasking can resume across calls: `apply_mask(&mut p[..k], m, 0); apply_mask(&mut p[k..], m, k)`
/// is the same as `apply_mask(&mut p, m, 0)`. Applying it twice restores the input.
#[inline]
pub fn apply_mask(buf: &mut [u8], mask: [u8; 4], offset: usize) {
    // Rotate the key so that buf[0] uses key[offset % 4].
    let mut key = mask;
    key.rotate_left(offset & 3);
    if buf.len() < 16 {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[i & 3];
        }
        return;
    }
    let k4 = u32::from_ne_bytes(key);
    let k8 = u64::from(k4) | (u64::from(k4) << 32);
    // The byte order of `k8` in memory is key,key whatever the endianness, since both
    // halves are the same 4 bytes.
    let mut blocks = buf.chunks_exact_mut(32);
    for block in &mut blocks {
        for word in block.chunks_exact_mut(8) {
            let w = u64::from_ne_bytes(word.try_into().expect("8-byte chunk")) ^ k8;
            word.copy_from_slice(&w.to_ne_bytes());
        }
    }
    // The remainder starts at a multiple of 32, so the key phase is unchanged.
    let rest = blocks.into_remainder();
    let mut words = rest.chunks_exact_mut(8);
    for word in &mut words {
        let w = u64::from_ne_bytes(word.try_into().expect("8-byte chunk")) ^ k8;
        word.copy_from_slice(&w.to_ne_bytes());
    }
    for (i, b) in words.into_remainder().iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// Append `src` to `dst`, masked with `mask` as if `src` started at byte `offset` of the
/// payload: the same as `dst.extend_from_slice(src)` followed by `apply_mask` on the new bytes,
/// in a single pass (read `src` once, write `dst` once). This is how the assembler copies a
/// payload out of the input and unmasks it at the same time.
#[inline]
pub fn extend_masked(dst: &mut Vec<u8>, src: &[u8], mask: [u8; 4], offset: usize) {
    let mut key = mask;
    key.rotate_left(offset & 3);
    let k4 = u32::from_ne_bytes(key);
    let k8 = u64::from(k4) | (u64::from(k4) << 32);
    let start = dst.len();
    dst.reserve(src.len());
    let spare = &mut dst.spare_capacity_mut()[..src.len()];
    // Every element of `spare` is written exactly once below: the 32-byte blocks, then the
    // 8-byte words of the remainder, then the last bytes (`spare` and `src` have the same
    // length, so their chunk iterators end together).
    let mut d32 = spare.chunks_exact_mut(32);
    let mut s32 = src.chunks_exact(32);
    for (d, s) in (&mut d32).zip(&mut s32) {
        for (dw, sw) in d.chunks_exact_mut(8).zip(s.chunks_exact(8)) {
            let w = (u64::from_ne_bytes(sw.try_into().expect("8-byte chunk")) ^ k8).to_ne_bytes();
            for (x, y) in dw.iter_mut().zip(w) {
                x.write(y);
            }
        }
    }
    let mut d8 = d32.into_remainder().chunks_exact_mut(8);
    let mut s8 = s32.remainder().chunks_exact(8);
    for (dw, sw) in (&mut d8).zip(&mut s8) {
        let w = (u64::from_ne_bytes(sw.try_into().expect("8-byte chunk")) ^ k8).to_ne_bytes();
        for (x, y) in dw.iter_mut().zip(w) {
            x.write(y);
        }
    }
    // The remainders start at multiples of 8 (and of 4), so the key phase is unchanged.
    for (i, (x, y)) in d8
        .into_remainder()
        .iter_mut()
        .zip(s8.remainder())
        .enumerate()
    {
        x.write(y ^ key[i & 3]);
    }
    // SAFETY: `reserve` made room for `src.len()` more bytes, and the loops above initialised
    // all `src.len()` elements of the spare capacity that follow the old length (`spare` is
    // exactly that range; the three loops cover it without gaps, see above).
    unsafe { dst.set_len(start + src.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(buf: &mut [u8], mask: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= mask[(i + offset) % 4];
        }
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 + 7) as u8).collect()
    }

    #[test]
    fn matches_naive_for_lengths_offsets_and_alignments() {
        let masks = [
            [0x37, 0xfa, 0x21, 0x3d],
            [0, 0, 0, 0],
            [0xff; 4],
            [1, 2, 3, 4],
        ];
        let backing = data(200 + 16);
        for mask in masks {
            for len in 0..=200 {
                for offset in 0..8 {
                    for align in 0..16 {
                        let mut a = backing.clone();
                        let mut b = backing.clone();
                        apply_mask(&mut a[align..align + len], mask, offset);
                        naive(&mut b[align..align + len], mask, offset);
                        assert_eq!(a, b, "len {len} offset {offset} align {align}");
                    }
                }
            }
        }
    }

    #[test]
    fn resumes_across_calls() {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let orig = data(1000);
        let mut whole = orig.clone();
        apply_mask(&mut whole, mask, 0);
        for split in [0, 1, 2, 3, 5, 31, 32, 33, 500, 999, 1000] {
            for split2 in [split, (split + 7).min(1000), 1000] {
                let mut parts = orig.clone();
                apply_mask(&mut parts[..split], mask, 0);
                apply_mask(&mut parts[split..split2], mask, split);
                apply_mask(&mut parts[split2..], mask, split2);
                assert_eq!(parts, whole, "split {split} {split2}");
            }
        }
        // Involution.
        apply_mask(&mut whole, mask, 0);
        assert_eq!(whole, orig);
    }

    #[test]
    fn rfc6455_5_7_masked_hello() {
        let mut p = *b"Hello";
        apply_mask(&mut p, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(p, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn extend_masked_matches_naive() {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        for len in (0..=100).chain([2047, 2048, 2049, 5000, 65536]) {
            for offset in 0..4 {
                let src = data(len);
                let mut dst = vec![9u8; 3];
                extend_masked(&mut dst, &src, mask, offset);
                let mut expect = src.clone();
                naive(&mut expect, mask, offset);
                assert_eq!(&dst[..3], &[9, 9, 9]);
                assert_eq!(&dst[3..], &expect[..], "len {len} offset {offset}");
            }
        }
    }

    #[test]
    fn large_buffer() {
        let mask = [0xde, 0xad, 0xbe, 0xef];
        let mut a = data(65536 + 13);
        let mut b = a.clone();
        apply_mask(&mut a[3..], mask, 2);
        naive(&mut b[3..], mask, 2);
        assert_eq!(a, b);
    }
}
