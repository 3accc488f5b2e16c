"""What tests that start outside programs (varnishd, nginx) share."""

import subprocess


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Ask a program to stop, and make it if it will not within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
