/**
 * Votes for an event hash this node has not seen the event of yet. They are
 * verified (membership, signature) on arrival but not counted: a vote
 * counts only once the event it names is known, so a made-up hash never
 * opens or moves a slot. When the event arrives the held votes for its hash
 * are applied; held votes are bounded in number and age.
 */
import { VerdictError } from '../errors.ts'
import type { Vote } from './vote.ts'

/** Votes held at once, over all slots; beyond it (after expiring old ones) a new one is refused. */
export const HELD_VOTES_MAX = 1024
/** How long a vote waits for its event, in milliseconds; after that it is dropped from memory (it stays stored). */
export const HELD_VOTE_AGE_MS_MAX = 10 * 60_000

/** HELD_VOTES_MAX votes are waiting for their events already. */
export class HeldVotesFullError extends VerdictError {
  static override readonly code = 'HeldVotesFullError'
  override readonly name = 'HeldVotesFullError'
  readonly action = 'ignore'
  override readonly code = 'held_votes_full'
}

export interface HeldVote {
  vote: Vote
  /** when it arrived, ms since the epoch */
  held_at: number
}

/** An immutable, bounded list of held votes. */
export class HeldVotes {
  private constructor (readonly entries: readonly HeldVote[]) {}

  static empty (): HeldVotes {
    return new HeldVotes([])
  }

  get size (): number {
    return this.entries.length
  }

  /** Without the votes held longer than HELD_VOTE_AGE_MS_MAX at `now`. */
  expire (now: number): HeldVotes {
    const kept = this.entries.filter((e) => now - e.held_at <= HELD_VOTE_AGE_MS_MAX)
    return kept.length === this.entries.length ? this : new HeldVotes(kept)
  }

  /** The held vote of `voter` in `slot`, if any. */
  of (slot: string, voter: string): Vote | undefined {
    return this.entries.find((e) => e.vote.slot === slot && e.vote.voter === voter)?.vote
  }

  /** With `vote` added; HeldVotesFullError when HELD_VOTES_MAX are held. */
  add (vote: Vote, now: number): HeldVotes {
    if (this.entries.length >= HELD_VOTES_MAX) {
      throw new HeldVotesFullError(`${this.entries.length} votes are waiting for their events (limit ${HELD_VOTES_MAX}); vote of ${vote.voter} in ${vote.slot} not held`)
    }
    return new HeldVotes([...this.entries, { vote, held_at: now }])
  }

  /** The held votes for `eventHash` in `slot`, and the list without them. */
  take (slot: string, eventHash: string): { held: HeldVotes, votes: Vote[] } {
    const votes = this.entries.filter((e) => e.vote.slot === slot && e.vote.event_hash === eventHash).map((e) => e.vote)
    if (votes.length === 0) return { held: this, votes }
    return { held: new HeldVotes(this.entries.filter((e) => !(e.vote.slot === slot && e.vote.event_hash === eventHash))), votes }
  }

  /** The held vote of `voter` in `slot` removed. */
  without (slot: string, voter: string): HeldVotes {
    return new HeldVotes(this.entries.filter((e) => !(e.vote.slot === slot && e.vote.voter === voter)))
  }

  /** Held votes per event hash in `slot`. */
  countsFor (slot: string): Map<string, number> {
    const counts = new Map<string, number>()
    for (const e of this.entries) if (e.vote.slot === slot) counts.set(e.vote.event_hash, (counts.get(e.vote.event_hash) ?? 0) + 1)
    return counts
  }
}
