/**
 * The after-sales workflow's acts, one at a time in the order asked: each
 * update handler queues its act and waits for its answer, and the workflow's
 * main loop runs them, so two acts never interleave around an activity.
 */
import { condition } from '@temporalio/workflow'

interface Job {
  act: () => Promise<unknown>
  done: boolean
  result?: unknown
  error?: unknown
}

export class JobQueue {
  private readonly waiting: Job[] = []

  get pending(): boolean {
    return this.waiting.length > 0
  }

  /** Queues `act` and answers with what it returns (or throws what it threw), once the main loop has run it. */
  async run<T>(act: () => Promise<T>): Promise<T> {
    const job: Job = { act, done: false }
    this.waiting.push(job)
    await condition(() => job.done)
    if ('error' in job) throw job.error
    return job.result as T
  }

  /** Runs every act queued, oldest first. */
  async drain(): Promise<void> {
    for (let job = this.waiting.shift(); job; job = this.waiting.shift()) {
      try {
        job.result = await job.act()
      } catch (error) {
        job.error = error
      }
      job.done = true
    }
  }
}
