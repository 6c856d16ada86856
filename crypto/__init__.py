"""age v1 on libsodium, keys, identities and recipient cards. No Qt, no network."""
