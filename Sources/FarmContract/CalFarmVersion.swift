/// The version recorded in every product, result and database.
public enum CalFarmVersion {
    public static let current = "0.1.0"
}
