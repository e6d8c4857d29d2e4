//! A bare Tauri window: no plugins, no state, a static page with one button.
//! Only used as the baseline of the start-up benchmark.

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("bare window");
}
