//! Generates `ui/src/lib/bindings.ts` from the types that cross IPC: the core's own types
//! (derived behind its `ts` feature) and the few wire types defined in this crate.
//!
//! There is no list of types to keep: the declarations are what the command list
//! ([`crate::commands`]) reaches, argument and result types and everything they contain.
//! One file, committed, so a reviewer sees every change to the IPC surface in
//! the diff. The test `bindings_are_current` fails when the file and the Rust types disagree.

use crate::{commands, error};
use std::any::TypeId;
use std::collections::HashSet;
use ts_rs::{Config, TypeVisitor, TS};

/// Where the bindings live, relative to this crate's manifest.
pub const BINDINGS_PATH: &str = "../../ui/src/lib/bindings.ts";

/// Collects the declaration of every named type it reaches, each once, following each type's
/// fields and type arguments (`Vec<T>`, `Option<T>`, `Channel<T>`). Types without a declaration
/// of their own (strings, numbers, arrays) are walked through, not declared.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    /// (name, declaration), sorted by name before writing: ts-rs visits a type's dependencies in
    /// an order that changes between compilations, so the walk's order cannot be the file's.
    decls: Vec<(String, String)>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            // Two Rust types may share one declaration (serde_json's `Value` and its `Map` both
            // stand for `JsonValue`): declare it once.
            let decl = T::decl(self.cfg);
            if !self.decls.iter().any(|(_, d)| *d == decl) {
                self.decls.push((T::ident(self.cfg), decl));
            }
        }
        T::visit_generics(self);
        T::visit_dependencies(self);
    }
}

/// The whole TypeScript declaration file for the IPC surface.
pub fn typescript() -> String {
    let cfg = Config::default();
    let mut walk = Declarations { cfg: &cfg, seen: HashSet::new(), decls: Vec::new() };
    // Every command fails with an IpcError: its shape is part of the contract too.
    walk.visit::<error::IpcError>();
    commands::visit_types(&mut walk);
    // The defaults below are typed `Profile`; a command names it already, this keeps it certain.
    walk.visit::<entra_jwt::Profile>();
    let mut decls = walk.decls;
    decls.sort();
    let mut out = String::from(
        "// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.\n\nimport type { Channel } from \"@tauri-apps/api/core\";\n",
    );
    for (_, decl) in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    // Values the UI needs from the one place they are defined.
    let default_profile = serde_json::to_string(&entra_jwt::Profile::default()).expect("a profile serialises");
    out.push_str(&format!("\n/** A JWT validation profile's defaults: `entra_jwt::Profile::default()`. */\nexport const DEFAULT_JWT_PROFILE: Profile = {default_profile};\n"));
    out.push('\n');
    out.push_str(&commands::typescript(&cfg));
    out
}
