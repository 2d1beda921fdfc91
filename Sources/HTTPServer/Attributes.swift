/// Typed values that middleware attaches to a request for later stages (the authenticated key, say).
public protocol AttributeKey {
    associatedtype Value: Sendable
}

public struct Attributes: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]
    public init() {}

    public subscript<Key: AttributeKey>(_ key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}
