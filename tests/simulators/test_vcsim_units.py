"""Runs the Go unit tests of the vSphere simulator's pure logic (das_test.go: dasConfig
validation and merge, fault parsing, scenario expansion) as part of the simulator self-tests."""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, 'vcsim', 'build.sh')


def test_vcsim_go_unit_tests_pass():
    proc = subprocess.run([BUILD, '--test'], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'ok  \tclusterops/vcsim' in proc.stdout
