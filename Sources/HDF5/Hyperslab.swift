// Rectangular selections, and their validation against a dataset's shape: CalFarm checks
// bounds itself so a bad selection becomes a clear error naming the dataset, never a crash.

/// A rectangular selection: `start` and `count` per dimension (stride 1).
public struct Hyperslab: Sendable, Equatable {
    public var start: [Int]
    public var count: [Int]
    public init(start: [Int], count: [Int]) { self.start = start; self.count = count }
    /// Number of selected elements (1 for the empty selection of a scalar dataset).
    public var elementCount: Int { count.reduce(1, *) }

    /// The whole extent of `shape`.
    public static func all(_ shape: [Int]) -> Hyperslab {
        Hyperslab(start: Array(repeating: 0, count: shape.count), count: shape)
    }

    /// Throws unless this selection has the rank of `shape` and lies inside it.
    func validate(against shape: [Int], _ site: Site) throws {
        guard start.count == shape.count, count.count == shape.count else {
            throw site.invalid("selection start \(start) count \(count) has rank "
                               + "\(max(start.count, count.count)), dataset rank is \(shape.count) (shape \(shape))")
        }
        for axis in shape.indices {
            let first = start[axis], n = count[axis]
            guard first >= 0, n >= 0, first <= shape[axis] - n else {
                throw site.invalid("selection start \(start) count \(count) is outside shape \(shape) "
                                   + "on axis \(axis)")
            }
        }
    }
}
