//! Frame parsing throughput: `cargo bench --bench frame_parse`.
//!
//! Masked 64 KiB binary frames (random masks and payloads) are turned back into messages by
//! an `Assembler`: the stream is appended in 64 KiB pieces, as a socket read loop delivers it,
//! and after each append `next()` is called until it returns `None`; every payload is touched
//! and passed through `black_box`. Throughput is in frame bytes per second; each figure is the
//! median (and best) of 7 rounds of 2048 frames (128 MiB).
//!
//! - "hot input": the 2048 frames of a round come from a 2 MiB stream of 32 frames appended
//!   64 times, so the bytes handed to `append` are in the cache, as a socket read buffer is.
//!   This is the figure of the parser (requirement: at least 10 GB/s).
//! - "cold input": one 128 MiB stream of 2048 distinct frames. Reading it is bound by the
//!   memory bandwidth; a plain `memcpy` of the same stream is printed for comparison.
//! - 125-byte masked text frames: messages per second (the per-message overhead).
//! - `apply_mask` on one 64 KiB buffer in the cache.
//!
//! `FRAMES=n` changes the number of frames of the cold stream.

use std::hint::black_box;
use std::time::{Duration, Instant};
use websocket::frame::{apply_mask, encode_frame, Assembler, OpCode};

const PAYLOAD: usize = 64 * 1024;
const READ: usize = 64 * 1024;
const ROUNDS: usize = 7;

/// A small xorshift generator: the benchmark needs varied bytes, not secure ones.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let r = self.next().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

fn stream_of(rng: &mut XorShift, frames: usize) -> Vec<u8> {
    let mut payload = vec![0u8; PAYLOAD];
    let mut stream = Vec::with_capacity(frames * (PAYLOAD + 14));
    for _ in 0..frames {
        rng.fill(&mut payload);
        let mask = (rng.next() as u32).to_ne_bytes();
        encode_frame(&mut stream, true, 0, OpCode::Binary, Some(mask), &payload);
    }
    stream
}

fn gbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e9
}

/// Time `ROUNDS` runs of `f` (each processing `bytes` bytes) and print the median and best.
fn measure(label: &str, bytes: usize, mut f: impl FnMut()) {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = gbps(bytes, times[ROUNDS / 2]);
    let best = gbps(bytes, times[0]);
    println!("{label}: {median:.1} GB/s (median of {ROUNDS} rounds; best {best:.1} GB/s)");
}

/// Append `stream` `repeat` times in `READ`-sized pieces, taking every message out.
fn parse(a: &mut Assembler, stream: &[u8], repeat: usize) -> (usize, u64) {
    let mut messages = 0;
    let mut sum = 0u64;
    for _ in 0..repeat {
        for piece in stream.chunks(READ) {
            a.append(piece);
            while let Some(m) = a.next().expect("valid stream") {
                // Touch the payload so that nothing is optimised away.
                sum += u64::from(m.payload[0]) + u64::from(m.payload[m.payload.len() - 1]);
                black_box(&m.payload);
                messages += 1;
            }
        }
    }
    assert_eq!(a.buffered(), 0);
    (messages, sum)
}

fn main() {
    let cold_frames: usize = std::env::var("FRAMES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2048);
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let hot = stream_of(&mut rng, 32);
    let cold = stream_of(&mut rng, cold_frames);
    println!(
        "frame_parse: masked binary frames of {} KiB appended in {} KiB reads; {:.0} MiB per round",
        PAYLOAD / 1024,
        READ / 1024,
        (hot.len() * 64) as f64 / (1 << 20) as f64
    );

    let mut a = Assembler::new(0, 0);
    let expect = parse(&mut a, &hot, 64);
    assert_eq!(expect.0, 2048);
    measure(
        "frame_parse/64KiB masked binary (hot input)",
        hot.len() * 64,
        || {
            assert_eq!(parse(&mut a, black_box(&hot), 64), expect);
        },
    );

    // The same with the limits of the Perl defaults that allow it (64 KiB, 128 fragments).
    let mut limited = Assembler::new(PAYLOAD as u64, 128);
    measure(
        "frame_parse/64KiB masked binary (hot input, max_payload_size 64 KiB)",
        hot.len() * 64,
        || {
            assert_eq!(parse(&mut limited, black_box(&hot), 64), expect);
        },
    );

    let expect_cold = parse(&mut a, &cold, 1);
    assert_eq!(expect_cold.0, cold_frames);
    measure(
        &format!("frame_parse/64KiB masked binary (cold input, {cold_frames} frames)"),
        cold.len(),
        || {
            assert_eq!(parse(&mut a, black_box(&cold), 1), expect_cold);
        },
    );
    let mut read_buf = vec![0u8; READ];
    measure(
        "memcpy of the cold input in 64 KiB reads (memory bound, for comparison)",
        cold.len(),
        || {
            for piece in black_box(&cold).chunks(READ) {
                read_buf[..piece.len()].copy_from_slice(piece);
                black_box(&read_buf);
            }
        },
    );

    // Small frames: per-message overhead (125-byte masked text frames, 64 KiB reads).
    let mut small = Vec::new();
    let mut payload = [0u8; 125];
    for _ in 0..16384 {
        rng.fill(&mut payload);
        let mask = (rng.next() as u32).to_ne_bytes();
        encode_frame(&mut small, true, 0, OpCode::Text, Some(mask), &payload);
    }
    let mut a = Assembler::new(PAYLOAD as u64, 128);
    let expect_small = parse(&mut a, &small, 1);
    let t = Instant::now();
    let reps = 50;
    for _ in 0..reps {
        assert_eq!(parse(&mut a, black_box(&small), 1), expect_small);
    }
    let per = t.elapsed().as_secs_f64() / (reps * expect_small.0) as f64;
    println!(
        "frame_parse/125B masked text (hot input): {:.1} M messages/s ({:.0} ns per message)",
        1e-6 / per,
        per * 1e9
    );

    // Raw unmasking of one 64 KiB buffer (in the cache), repeated.
    let mut buf = vec![0u8; PAYLOAD];
    rng.fill(&mut buf);
    let reps = 2048;
    let mut i = 0u8;
    measure("apply_mask/64KiB", PAYLOAD * reps, || {
        for _ in 0..reps {
            i = i.wrapping_add(1);
            apply_mask(black_box(&mut buf), black_box([0x37, 0xfa, 0x21, i]), 0);
        }
    });
    black_box(&buf);
}
