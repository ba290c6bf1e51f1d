/// What a job unit's spec says about where its facility keeps raw files and products, derived
/// the same way for every step so gather, process and join name the same files.
extension JobSpec {
    /// `parameters` key of CFEL units: memory cells per train (the files do not say).
    public static let cellsParameter = "cells"
    /// `parameters` keys of CFEL units: the module and the temperature directory.
    public static let moduleParameter = "module"
    public static let temperatureParameter = "temperature"

    /// The CFEL raw directory and naming of this unit's module; nil for XFEL.
    public var cfelLayout: CFELRawLayout? {
        guard facility == .cfel, let module = parameters[Self.moduleParameter],
              let temperature = parameters[Self.temperatureParameter] else { return nil }
        return CFELRawLayout(inputDir: inputDir, temperature: temperature, measurement: measurement, module: module,
                             spec: MeasurementCatalog.description(of: measurement).cfelSpec(in: parameters))
    }

    /// The products of this unit's request.
    public var productPaths: ProductPaths {
        var paths = ProductPaths(inputDir: inputDir, outputDir: outputDir, measurement: measurement)
        if let layout = cfelLayout {
            paths.cfel = .init(module: layout.module, temperature: layout.temperature, spec: layout.spec)
        }
        return paths
    }

    /// CFEL memory cells per train: the `cells` parameter, else the measurement's default.
    public var cfelCells: Int {
        MeasurementCatalog.description(of: measurement).cfelCells(configured: Int(parameters[Self.cellsParameter] ?? "") ?? 0)
    }
}
