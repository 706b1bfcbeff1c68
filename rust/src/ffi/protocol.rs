//! C ABI: one connection's state machine (written once the engine's protocol module lands).
