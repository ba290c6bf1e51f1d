// Calibration steps live in Steps/, Measurements/ and Kernels/.
