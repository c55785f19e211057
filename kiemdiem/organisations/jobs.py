"""Background job registrations of this app (imported by AppConfig.ready)."""
