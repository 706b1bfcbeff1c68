//! C ABI: the reactor (being written).
