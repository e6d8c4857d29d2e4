//! The system's save dialog for exports, opened from Rust: the webview asks for an export and
//! never names a path (a compromised page could otherwise write anywhere the user may); the admin
//! picks where the file goes, starting in the Downloads folder with the export's own name.

use entra_core::credentials::export::{self, ExportFormat};
use entra_core::leases::AuditFormat;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

/// What the dialog offers: its title, the suggested folder and file name, and the file type.
pub struct SaveAs {
    /// The dialog's title, e.g. "Export credentials (CSV)".
    pub title: &'static str,
    /// Where it starts: the Downloads folder, else `<data dir>/exports`.
    pub folder: PathBuf,
    /// The suggested name, e.g. `entra-credentials-20261207-101500.csv`.
    pub file_name: String,
    /// The filter's label and its extensions (without the dot).
    pub kind: (&'static str, &'static [&'static str]),
}

impl SaveAs {
    /// A Credential expiry export as `format`, named for `now`.
    pub fn credentials(format: ExportFormat, data_dir: &Path, now: chrono::DateTime<chrono::Utc>) -> SaveAs {
        let (title, kind): (_, (&str, &[&str])) = match format {
            ExportFormat::Csv => ("Export credentials (CSV)", ("CSV", &["csv"])),
            ExportFormat::Json => ("Export credentials (JSON)", ("JSON", &["json"])),
            ExportFormat::Notify => ("Export who to notify (JSON)", ("JSON", &["json"])),
        };
        SaveAs { title, folder: export::default_dir(data_dir), file_name: export::file_name(format, now), kind }
    }

    /// The lease audit log as `format`, under the name the lease service gives it.
    pub fn lease_audit(format: AuditFormat, data_dir: &Path, file_name: String) -> SaveAs {
        let (title, kind): (_, (&str, &[&str])) = match format {
            AuditFormat::Csv => ("Export the lease audit log (CSV)", ("CSV", &["csv"])),
            AuditFormat::Jsonl => ("Export the lease audit log (JSON lines)", ("JSON lines", &["jsonl"])),
        };
        SaveAs { title, folder: export::default_dir(data_dir), file_name, kind }
    }
}

/// Shows the save dialog over the main window and waits for the admin's choice: the file, or
/// `None` when they cancelled. The folder is created first when missing, so that the dialog can
/// open in it.
pub async fn choose(app: &AppHandle, offer: SaveAs) -> Result<Option<PathBuf>, entra_core::Error> {
    if !offer.folder.is_dir() {
        let _ = std::fs::create_dir_all(&offer.folder);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(offer.title)
        .set_directory(&offer.folder)
        .set_file_name(offer.file_name)
        .add_filter(offer.kind.0, offer.kind.1);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    // Not the blocking variant: the dialog runs on the main thread's loop, this task awaits it.
    dialog.save_file(move |picked| {
        let _ = tx.send(picked);
    });
    let picked = rx.await.map_err(|_| entra_core::Error::internal("The save dialog closed without an answer: export again"))?;
    picked
        .map(|p| p.into_path().map_err(|e| entra_core::Error::invalid_input(format!("The save dialog gave a location that is not a file on this computer ({e}): choose a folder on a local disk"))))
        .transpose()
}
