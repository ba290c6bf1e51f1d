import CalFarmTestSupport
import Farm
import FarmContract
import Foundation
import Testing

/// Issue 14 §4: a request never silently replaces another request's products.
@Suite("products belong to a request", .serialized)
struct ProductOwnershipTests {
    @Test("a second request into the same output tree is refused naming the first; with --overwrite it supersedes it")
    func secondRequestRefusedThenSupersedes() throws {
        let fixture = try FarmFixture(channels: [0], trains: 4, cells: 2, sequences: 1)
        let farm = try fixture.farm()
        let first = try farm.submit(fixture.options(output: "out")).request
        #expect(try farm.status(request: first).state == "done")
        let joined = fixture.joinedPath(output: "out")
        let before = try FileManager.default.attributesOfItem(atPath: joined)[.modificationDate] as? Date

        // The same runs, or only one run in common (its gathered files), into the same tree.
        for runs in [[11, 12, 13], [13, 12, 11]] {
            var options = fixture.options(output: "out")
            options.runs = runs
            #expect { try farm.submit(options) } throws: { error in
                "\(error)".contains("request \(first) (done) owns") && "\(error)".contains("--overwrite")
            }
        }
        #expect(try farm.store.requests().count == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: joined)[.modificationDate] as? Date == before)
        // Another output tree is someone else's business.
        let elsewhere = try farm.submit(fixture.options(output: "other")).request
        #expect(try farm.status(request: elsewhere).state == "done")

        var overwrite = fixture.options(output: "out")
        overwrite.overwrite = true
        let second = try farm.submit(overwrite).request
        #expect(try farm.status(request: second).state == "done")
        #expect(try farm.store.request(first)?.supersededBy == second)
        #expect(try farm.store.request(elsewhere)?.supersededBy == nil)
        let old = try farm.status(request: first)
        #expect(old.supersededBy == second && old.notes.first?.contains("superseded by request \(second)") == true, "\(old.notes)")
        #expect(try farm.store.events(request: first).contains { $0.kind == "superseded" && $0.message.contains(second) })
        #expect(try farm.store.events(request: second).contains { $0.kind == "supersedes" && $0.message.contains(first) })
        #expect { try farm.resume(request: first) } throws: { "\($0)".contains("superseded by request \(second)") }
        // A third request meets only the second: the superseded one owns nothing any more.
        #expect { try farm.plan(fixture.options(output: "out")) } throws: { error in
            "\(error)".contains("request \(second)") && !"\(error)".contains(first)
        }
    }
}
