"""`ldwrap doctor` against the real gcc and clang for each PATH layout a user may have, its fixes
followed and shown to work with a real link, and links run as another user through drop-ins
whose Python that user cannot reach."""
