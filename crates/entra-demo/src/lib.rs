//! The demo tenant (being written).
