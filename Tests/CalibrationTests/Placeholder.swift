import Testing

@Test func placeholderCalibration() {}
