/// The gathered files a process unit reads, named in its spec (parameter
/// ``JobSpec/gatheredInputsParameter``) by run and sequence: `"819:0,1 820:0,1 821:0"`. The
/// worker turns each into `ProductPaths.gathered(run:channel:sequence:)` of its channel, so the
/// process step does not depend on how the facility's earlier steps found them.
public struct GatheredInputs: Sendable, Equatable {
    /// Run → its sequence numbers, in the order of the request's runs.
    public var sequences: [(run: Int, sequences: [Int])]

    public init(sequences: [(run: Int, sequences: [Int])]) { self.sequences = sequences }

    public static func == (lhs: GatheredInputs, rhs: GatheredInputs) -> Bool {
        lhs.sequences.map(\.run) == rhs.sequences.map(\.run) && lhs.sequences.map(\.sequences) == rhs.sequences.map(\.sequences)
    }

    /// The parameter's text.
    public var text: String {
        sequences.map { "\($0.run):" + $0.sequences.map(String.init).joined(separator: ",") }.joined(separator: " ")
    }

    /// The sequences of `run`, or nil when the spec does not name the run.
    public func sequences(of run: Int) -> [Int]? { sequences.first { $0.run == run }?.sequences }

    /// Parses the parameter's text; nil for text that is not `run:seq,seq …`.
    public init?(text: String) {
        var out: [(Int, [Int])] = []
        for part in text.split(separator: " ") {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, let run = Int(pieces[0]) else { return nil }
            let numbers = pieces[1].split(separator: ",").map { Int($0) }
            guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return nil }
            out.append((run, numbers.compactMap { $0 }))
        }
        guard !out.isEmpty else { return nil }
        sequences = out.map { (run: $0.0, sequences: $0.1) }
    }
}
