import Foundation
import LeadlineCore
import Synchronization

/// The built-in voice provider: an offline AI agent and the consumers it calls. It plays the script, makes up the
/// consumer's side of the conversation, transfers qualified consumers, and reports each step as a real provider's
/// webhooks would. Test numbers force what happens (the last four digits of the number called):
///
/// | ends in | the consumer                                   |
/// |---------|------------------------------------------------|
/// | 0100    | answers, qualifies and is transferred          |
/// | 0200    | does not answer                                |
/// | 0300    | has voicemail pick up                          |
/// | 0400    | answers and does not qualify                   |
/// | 0500    | answers and asks not to be called again        |
/// | 0600    | is busy                                        |
///
/// Any other number follows `Odds`, drawn from the seeded generator. A destination line whose number ends in 0900
/// never answers a transfer; others answer with `Odds.lineAnswers`.
public final class SimulatedVoice: VoiceProvider {
    public struct Odds: Sendable, Equatable {
        public var answer = 0.35
        public var voicemail = 0.2
        public var busy = 0.05
        public var failed = 0.02
        /// Of those who answer.
        public var qualify = 0.5
        public var optOut = 0.03
        public var lineAnswers = 0.9
        /// Seconds of the connected transfer, drawn evenly.
        public var transferSeconds = 60...600

        public init() {}
    }

    /// What happens on a call.
    enum Scenario: Equatable { case qualifies, noAnswer, voicemail, notQualified, optOut, busy, failed }

    public let name = "simulator"
    let odds: Odds
    /// Real seconds slept per simulated second (0: no waiting, for tests).
    let pace: Double
    private let random: Mutex<SplitMix64>

    private let commands = CallCommands()

    public init(odds: Odds = Odds(), seed: UInt64 = 1, pace: Double = 0) {
        self.odds = odds
        self.pace = pace
        random = Mutex(SplitMix64(seed: seed))
    }

    /// The scenario a number forces, if it is a test number.
    static func forced(_ phone: String) -> Scenario? {
        switch phone.suffix(4) {
        case "0100": return .qualifies
        case "0200": return .noAnswer
        case "0300": return .voicemail
        case "0400": return .notQualified
        case "0500": return .optOut
        case "0600": return .busy
        default: return nil
        }
    }

    func scenario(for phone: String) -> Scenario {
        if let forced = Self.forced(phone) { return forced }
        return random.withLock { random in
            let roll = random.unit()
            var edge = odds.answer
            if roll < edge {
                let inner = random.unit()
                if inner < odds.optOut { return .optOut }
                return inner < odds.optOut + (1 - odds.optOut) * odds.qualify ? .qualifies : .notQualified
            }
            edge += odds.voicemail
            if roll < edge { return .voicemail }
            edge += odds.busy
            if roll < edge { return .busy }
            edge += odds.failed
            if roll < edge { return .failed }
            return .noAnswer
        }
    }

    public func start(_ call: CallRequest, updates: any CallUpdateSink) async throws -> String {
        let scenario = scenario(for: call.to)
        let providerID = "sim_" + call.attemptID.dropFirst("call_".count)
        Task { await self.run(call, scenario, updates) }
        return providerID
    }

    public func transfer(_ transfer: TransferRequest, updates: any CallUpdateSink) async throws {
        commands.set(.transfer(transfer), for: transfer.attemptID)
    }

    public func hangUp(attemptID: String, providerCallID: String, saying line: String, updates: any CallUpdateSink) async throws {
        commands.set(.hangUp(line), for: attemptID)
    }

    private func pause(_ seconds: Int) async {
        guard pace > 0, seconds > 0 else { return }
        try? await Task.sleep(for: .milliseconds(Int(Double(seconds) * pace * 1000)))
    }

    /// Plays one call through, reporting each step. Each report is awaited, so the engine has stored it (and asked
    /// for a transfer or a hang-up) before the next step.
    private func run(_ call: CallRequest, _ scenario: Scenario, _ updates: any CallUpdateSink) async {
        let id = call.attemptID
        var transcript: [TranscriptLine] = []
        var talk = 0
        func say(_ line: TranscriptLine) async {
            transcript.append(line)
            let seconds = max(2, line.text.split(separator: " ").count / 3)
            talk += seconds
            await pause(seconds)
        }
        func send(_ kind: CallUpdate.Kind, ring: Int? = nil, answers: [String: String]? = nil, transferID: String? = nil,
                  transferSeconds: Int? = nil, reason: String? = nil) async {
            await updates.receive(CallUpdate(attemptID: id, kind: kind, transferID: transferID, ringSeconds: ring,
                                             talkSeconds: talk, transferSeconds: transferSeconds, answers: answers,
                                             transcript: transcript.isEmpty ? nil : transcript, reason: reason))
        }

        await pause(2)
        await send(.ringing)
        switch scenario {
        case .noAnswer:
            await pause(30)
            await send(.noAnswer, ring: 30, reason: "no answer after 30 s")
            await send(.ended, reason: "no-answer")
            return
        case .busy:
            await send(.busy, ring: 0, reason: "busy signal")
            await send(.ended, reason: "busy")
            return
        case .failed:
            await send(.failed, ring: 0, reason: "the carrier could not connect the call")
            await send(.ended, reason: "failed")
            return
        case .voicemail:
            await pause(20)
            await send(.voicemail, ring: 20, reason: "answering machine detected; no message left")
            await send(.ended, reason: "voicemail")
            return
        case .qualifies, .notQualified, .optOut:
            break
        }

        let ring = 8
        await pause(ring)
        await send(.answered, ring: ring)
        await say(.consumer("Hello?"))
        for line in call.disclosures { await say(.agent(line)) }
        await say(.agent(call.script.greeting))
        await send(.qualifying)
        var answers: [String: String] = [:]
        for (index, question) in call.script.questions.enumerated() {
            await say(.agent(question.text))
            if scenario == .optOut {
                await say(.consumer("Please stop calling me. Don't call this number again."))
                await say(.agent(call.script.optOutLine))
                await send(.optOut, answers: answers, reason: "the consumer asked not to be called again")
                await send(.ended, reason: "customer-ended-call")
                return
            }
            let answer: String
            if scenario == .notQualified && index == 0 {
                answer = question.disqualify.first ?? "no"
            } else {
                answer = question.qualify.first ?? "yes"
            }
            answers[question.id] = answer
            await say(.consumer(answer.prefix(1).uppercased() + answer.dropFirst() + "."))
            if !question.qualifies(answer) {
                await say(.agent(call.script.closing))
                await send(.notQualified, answers: answers, reason: "answered '\(answer)' to \(question.id)")
                await send(.ended, reason: "assistant-ended-call")
                return
            }
        }
        await send(.qualified, answers: answers)

        // The engine answers a qualified consumer with a transfer, or with a hang-up when no line is open.
        while true {
            let command = commands.take(id)
            switch command {
            case .transfer(let request):
                await say(.agent(request.line))
                let answers = request.to.hasSuffix("0900") ? false : random.withLock { $0.unit() < odds.lineAnswers }
                await pause(6)
                guard answers else {
                    await send(.transferFailed, transferID: request.transferID, reason: "the line did not answer")
                    continue
                }
                await send(.transferBridged, transferID: request.transferID)
                let seconds = random.withLock { Int.random(in: odds.transferSeconds, using: &$0) }
                await pause(seconds)
                await send(.transferEnded, transferID: request.transferID, transferSeconds: seconds)
                await send(.ended, reason: "assistant-forwarded-call")
            case .hangUp(let line):
                await say(.agent(line))
                await send(.ended, reason: "assistant-ended-call")
            case nil:
                await say(.agent(call.script.closing))
                await send(.ended, reason: "assistant-ended-call")
            }
            return
        }
    }
}
