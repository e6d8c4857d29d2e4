//! The committed TypeScript bindings must equal what the Rust types generate.

use std::path::Path;

#[test]
fn bindings_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(entra_ipc::bindings::BINDINGS_PATH);
    let generated = entra_ipc::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is out of date with the Rust IPC types: run `UPDATE_BINDINGS=1 cargo test -p entra-ipc --test bindings` and commit the result"
    );
}
