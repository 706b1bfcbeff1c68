//! The committed C header must be what cbindgen generates from rust/src/ffi/ now.

#[test]
fn c_header_is_current() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let config =
        cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = format!("{dir}/rust/include/websocket.h");
    if std::env::var_os("WEBSOCKET_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write header");
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "rust/include/websocket.h is stale; regenerate it with: WEBSOCKET_BLESS=1 cargo test --release --locked --test header"
    );
}
