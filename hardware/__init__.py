"""Peripherals behind small interfaces: audio output (sound card or file sink) and the receipt
printer (ESC/POS on a device file, or none)."""
