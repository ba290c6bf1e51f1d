// Element types: the Swift scalars CalFarm stores, their native libhdf5 type ids, and the
// names (`uint16`, `float64`, `string`, …) of whatever type a file actually holds.
internal import CHDF5

/// Element types CalFarm reads and writes (native byte order).
public protocol HDF5Scalar: Sendable {
    /// `uint16`, `float64`, …: names used in error messages and `Dataset.elementTypeName`.
    static var hdf5TypeName: String { get }
}
extension UInt8: HDF5Scalar { public static var hdf5TypeName: String { "uint8" } }
extension UInt16: HDF5Scalar { public static var hdf5TypeName: String { "uint16" } }
extension Int16: HDF5Scalar { public static var hdf5TypeName: String { "int16" } }
extension UInt32: HDF5Scalar { public static var hdf5TypeName: String { "uint32" } }
extension Int32: HDF5Scalar { public static var hdf5TypeName: String { "int32" } }
extension Int64: HDF5Scalar { public static var hdf5TypeName: String { "int64" } }
extension UInt64: HDF5Scalar { public static var hdf5TypeName: String { "uint64" } }
extension Float: HDF5Scalar { public static var hdf5TypeName: String { "float32" } }
extension Double: HDF5Scalar { public static var hdf5TypeName: String { "float64" } }

/// What a stored element type is, as far as CalFarm's reads are concerned.
enum ElementClass {
    case numeric, string, other
}

enum ElementType {
    /// The library-owned native type id for `T` (never closed).
    static func native<T: HDF5Scalar>(_ type: T.Type, _ site: Site) throws -> hid_t {
        let id: hid_t? = Library.withLock {
            switch type {
            case is UInt8.Type: chdf5_native_uint8()
            case is UInt16.Type: chdf5_native_uint16()
            case is Int16.Type: chdf5_native_int16()
            case is UInt32.Type: chdf5_native_uint32()
            case is Int32.Type: chdf5_native_int32()
            case is Int64.Type: chdf5_native_int64()
            case is UInt64.Type: chdf5_native_uint64()
            case is Float.Type: chdf5_native_float()
            case is Double.Type: chdf5_native_double()
            default: nil
            }
        }
        guard let id, id >= 0 else {
            throw site.invalid("element type \(T.hdf5TypeName) has no native HDF5 type")
        }
        return id
    }

    /// The class and name of a stored type, e.g. (.numeric, "uint16") or (.string, "string").
    static func describe(_ type: Handle, _ site: Site) throws -> (ElementClass, String) {
        let typeClass = try Library.call("get type class", site) { H5Tget_class(type.id).rawValue }
        let size = try Library.call("get type size", site, failed: { $0 == 0 }) { H5Tget_size(type.id) }
        switch typeClass {
        case H5T_INTEGER.rawValue:
            let sign = try Library.call("get integer sign", site) { H5Tget_sign(type.id).rawValue }
            return (.numeric, (sign == H5T_SGN_NONE.rawValue ? "uint" : "int") + "\(size * 8)")
        case H5T_FLOAT.rawValue: return (.numeric, "float\(size * 8)")
        case H5T_STRING.rawValue: return (.string, "string")
        case H5T_COMPOUND.rawValue: return (.other, "compound")
        case H5T_ENUM.rawValue: return (.other, "enum")
        case H5T_ARRAY.rawValue: return (.other, "array")
        case H5T_VLEN.rawValue: return (.other, "vlen")
        case H5T_OPAQUE.rawValue: return (.other, "opaque")
        case H5T_BITFIELD.rawValue: return (.other, "bitfield")
        case H5T_REFERENCE.rawValue: return (.other, "reference")
        default: return (.other, "type class \(typeClass)")
        }
    }
}
