"""The wheel as a user gets it: built, installed with pipx into a temporary home, and the
installed command (not this source tree) run for --version, demo, install and a real link."""
