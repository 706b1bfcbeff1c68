//! Compile rust/tests/c/abi_smoke.c against the generated header and the static library, and
//! run it: the header is valid C and the ABI behaves as documented when called from C.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn c_program_drives_the_engine_through_the_header() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The test binary lives in <target>/<profile>/deps; the static library in <target>/<profile>.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let lib = profile_dir.join("libwebsocket.a");
    if !lib.exists() {
        panic!(
            "{} is missing: the static library should be built with the tests",
            lib.display()
        );
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = profile_dir.join("abi_smoke");
    let status = Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&out)
        .arg(root.join("rust/tests/c/abi_smoke.c"))
        .arg("-I")
        .arg(root.join("rust/include"))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm"])
        .status()
        .expect("a C compiler (cc) is needed for this test");
    assert!(status.success(), "the C smoke program did not compile");
    let run = Command::new(&out)
        .output()
        .expect("run the C smoke program");
    let stdout = String::from_utf8_lossy(&run.stdout);
    print!("{stdout}");
    assert!(run.status.success(), "C smoke program failed:\n{stdout}");
    assert!(stdout.contains("0 failed"));
}
