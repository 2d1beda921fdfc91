import Foundation
import GRDB
import Synchronization

/// A tenant's buyers as the exchange reads them on every ping: decoded (and their secrets opened) once, and read
/// again after any change. Every change to a buyer goes through `Buyers`, which tells the directory.
final class BuyerDirectory: Sendable {
    /// A buyer with its webhook secret opened (pings, posts and webhooks to it are signed with it).
    struct Entry: Sendable {
        let buyer: Buyer
        let secret: String?
    }

    private struct State {
        var tenants: [String: [Entry]] = [:]
        /// Bumped by each change; a load that started before a change does not store what it read.
        var generation: [String: Int] = [:]
    }

    private let state = Mutex(State())

    func entries(tenantID: String, load: () throws -> [Entry]) throws -> [Entry] {
        let (cached, generation) = state.withLock { ($0.tenants[tenantID], $0.generation[tenantID] ?? 0) }
        if let cached { return cached }
        let loaded = try load()
        state.withLock { state in
            if (state.generation[tenantID] ?? 0) == generation { state.tenants[tenantID] = loaded }
        }
        return loaded
    }

    func changed(tenantID: String) {
        state.withLock { state in
            state.tenants[tenantID] = nil
            state.generation[tenantID, default: 0] += 1
        }
    }
}
