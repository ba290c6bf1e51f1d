import Testing

@Test func placeholderSlurmIntegration() {}
