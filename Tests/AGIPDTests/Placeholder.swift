import Testing

@Test func placeholderAGIPD() {}
