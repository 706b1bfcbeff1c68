# XS for WebSocket::Engine::Reactor (being written); included from WebSocket.xs
