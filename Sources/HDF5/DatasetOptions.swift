// How datasets are created (chunks, shuffle, deflate, maximum shape) and accessed (chunk cache).
// HDF5 1.10's default chunk cache is 1 MiB per dataset; with 4 MiB compressed chunks that made
// reads 22x and per-frame writes 10x slower, so every dataset CalFarm opens or creates gets an
// access property list with a larger cache.
internal import CHDF5

/// How a dataset is created.
public struct DatasetOptions: Sendable {
    /// Chunk shape; nil = contiguous (required for `maxShape` or compression).
    public var chunks: [Int]?
    /// gzip level 1…9, or nil for none.
    public var deflate: Int?
    public var shuffle: Bool
    /// Maximum shape per dimension; nil entries are unlimited. nil = fixed at creation shape.
    public var maxShape: [Int?]?
    /// Chunk cache for this dataset (HDF5 1.10's default of 1 MiB makes compressed access 10–20× slower).
    public var chunkCacheBytes: Int
    public init(chunks: [Int]? = nil, deflate: Int? = nil, shuffle: Bool = false, maxShape: [Int?]? = nil,
                chunkCacheBytes: Int = 64 << 20) {
        self.chunks = chunks; self.deflate = deflate; self.shuffle = shuffle
        self.maxShape = maxShape; self.chunkCacheBytes = chunkCacheBytes
    }

    /// Throws `invalidArgument` for option combinations libhdf5 would reject (or crash on).
    func validate(shape: [Int], _ site: Site) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw site.invalid("negative dimension in shape \(shape)") }
        guard chunkCacheBytes >= 0 else { throw site.invalid("negative chunkCacheBytes \(chunkCacheBytes)") }
        if let level = deflate, !(0...9).contains(level) {
            throw site.invalid("deflate level \(level) is outside 0…9")
        }
        guard let chunks else {
            if deflate != nil || shuffle || maxShape != nil {
                throw site.invalid("deflate, shuffle and maxShape need a chunked dataset (set chunks)")
            }
            return
        }
        guard !shape.isEmpty else { throw site.invalid("a scalar dataset cannot be chunked") }
        guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
            throw site.invalid("chunks \(chunks) must be positive with the rank of shape \(shape)")
        }
        let limits = maxShape ?? shape.map { Optional($0) }
        guard limits.count == shape.count else {
            throw site.invalid("maxShape \(limits) must have the rank of shape \(shape)")
        }
        for axis in shape.indices {
            guard let limit = limits[axis] else { continue }
            guard limit >= shape[axis] else { throw site.invalid("maxShape \(limits) is below shape \(shape)") }
            guard chunks[axis] <= limit else {
                throw site.invalid("chunks \(chunks) exceed the fixed maximum shape \(limits) on axis \(axis)")
            }
        }
    }

    /// The dataset creation property list for these (validated) options.
    func makeCreationList(rank: Int, _ site: Site) throws -> Handle {
        let plist = try Library.open(.propertyList, "create dataset creation property list", site) {
            H5Pcreate(chdf5_p_dataset_create())
        }
        guard let chunks else { return plist }
        let dims = chunks.map { hsize_t($0) }
        try Library.call("set chunk shape \(chunks)", site) { H5Pset_chunk(plist.id, Int32(rank), dims) }
        // Shuffle must precede deflate in the filter pipeline for it to help compression.
        if shuffle { try Library.call("set shuffle filter", site) { H5Pset_shuffle(plist.id) } }
        if let deflate { try Library.call("set deflate level \(deflate)", site) { H5Pset_deflate(plist.id, UInt32(deflate)) } }
        return plist
    }

    /// libhdf5's own default chunk cache size: enough for datasets read whole once.
    public static let smallChunkCacheBytes = 1 << 20

    /// A dataset access property list with a chunk cache of `bytes`.
    static func makeAccessList(chunkCacheBytes bytes: Int, _ site: Site) throws -> Handle {
        guard bytes >= 0 else { throw site.invalid("negative chunkCacheBytes \(bytes)") }
        let plist = try Library.open(.propertyList, "create dataset access property list", site) {
            H5Pcreate(chdf5_p_dataset_access())
        }
        // A prime slot count well above the number of chunks the cache can hold keeps hash
        // collisions (which evict chunks early) rare; w0 0.75 is libhdf5's default policy.
        // Small caches (metadata, INDEX vectors) keep libhdf5's 521 slots: the slot table is
        // zeroed at every open of a chunked dataset, and 12,421 slots were 13 % of a header scan.
        let slots = bytes <= Self.smallChunkCacheBytes ? 521 : 12_421
        try Library.call("set chunk cache of \(bytes) bytes", site) {
            H5Pset_chunk_cache(plist.id, slots, bytes, 0.75)
        }
        return plist
    }

    /// A link creation property list that creates missing intermediate groups.
    static func makeLinkCreationList(_ site: Site) throws -> Handle {
        let plist = try Library.open(.propertyList, "create link creation property list", site) {
            H5Pcreate(chdf5_p_link_create())
        }
        try Library.call("enable intermediate group creation", site) { H5Pset_create_intermediate_group(plist.id, 1) }
        return plist
    }
}
