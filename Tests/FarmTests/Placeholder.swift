import Testing

@Test func placeholderFarm() {}
