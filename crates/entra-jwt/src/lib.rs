//! JWT inspector (being written).
