//! The reactor (being written).
