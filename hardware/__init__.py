"""Peripherals behind small interfaces: audio output (sound card or file sink)."""
