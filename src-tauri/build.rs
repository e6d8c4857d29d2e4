//! Registers the app's commands with Tauri's ACL so that each one must be
//! granted explicitly in `capabilities/*.json` (least privilege in the webview).

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[])),
    )
    .expect("failed to run the Tauri build script");
}
