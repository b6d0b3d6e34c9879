//! One at a time, in call order: the queue a module's swaps wait in.
//!
//! [`Queue::join`] takes a place in line when it is called, not when its future first runs, so
//! swaps run in the order the app called `swap`. The [`Turn`] future resolves with a [`Place`]
//! once every earlier place has been left; dropping the `Place`, whether the swap succeeded or
//! failed, lets the next one in. A `Turn` dropped before its turn came gives its place up.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A line of async tasks that run one at a time.
#[derive(Default)]
pub struct Queue {
    line: Rc<RefCell<Line>>,
}

#[derive(Default)]
struct Line {
    /// The next ticket to hand out.
    next: u64,
    /// The ticket whose turn it is.
    now: u64,
    /// Wakers of the tickets waiting. (Vectors rather than maps: the line is short, and a map
    /// would cost the runtime kilobytes of code.)
    waiting: Vec<(u64, Waker)>,
    /// Tickets given up before their turn.
    abandoned: Vec<u64>,
}

impl Line {
    /// Ends the turn of the current ticket and wakes the next one still waiting.
    fn advance(&mut self) {
        self.now += 1;
        while let Some(i) = self.abandoned.iter().position(|t| *t == self.now) {
            self.abandoned.swap_remove(i);
            self.now += 1;
        }
        if let Some(waker) = self.forget(self.now) {
            waker.wake();
        }
    }

    /// Removes `ticket`'s waker, returning it.
    fn forget(&mut self, ticket: u64) -> Option<Waker> {
        let i = self.waiting.iter().position(|(t, _)| *t == ticket)?;
        Some(self.waiting.swap_remove(i).1)
    }
}

impl Queue {
    /// An empty line.
    pub fn new() -> Self {
        Queue::default()
    }

    /// Takes the next place in line, now.
    pub fn join(&self) -> Turn {
        let mut line = self.line.borrow_mut();
        let ticket = line.next;
        line.next += 1;
        Turn {
            line: Rc::clone(&self.line),
            ticket,
            done: false,
        }
    }
}

/// Waiting for a turn; resolves with the [`Place`] when it comes.
pub struct Turn {
    line: Rc<RefCell<Line>>,
    ticket: u64,
    done: bool,
}

impl Future for Turn {
    type Output = Place;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Place> {
        let mut line = self.line.borrow_mut();
        if line.now != self.ticket {
            let ticket = self.ticket;
            line.forget(ticket);
            line.waiting.push((ticket, cx.waker().clone()));
            return Poll::Pending;
        }
        drop(line);
        self.done = true;
        Poll::Ready(Place {
            line: Rc::clone(&self.line),
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut line = self.line.borrow_mut();
        line.forget(self.ticket);
        if line.now == self.ticket {
            line.advance();
        } else {
            line.abandoned.push(self.ticket);
        }
    }
}

/// The front of the line: the next task runs when this is dropped.
pub struct Place {
    line: Rc<RefCell<Line>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.line.borrow_mut().advance();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(turn: &mut Turn, waker: &Waker) -> Option<Place> {
        match Pin::new(turn).poll(&mut Context::from_waker(waker)) {
            Poll::Ready(place) => Some(place),
            Poll::Pending => None,
        }
    }

    #[test]
    fn turns_come_in_the_order_places_were_taken_not_polled() {
        let queue = Queue::new();
        let count = Arc::new(Count::default());
        let waker = Waker::from(Arc::clone(&count));
        let (mut first, mut second) = (queue.join(), queue.join());
        assert!(
            poll(&mut second, &waker).is_none(),
            "second ran before first"
        );
        let place = poll(&mut first, &waker).expect("first's turn");
        assert!(poll(&mut second, &waker).is_none());
        drop(place);
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "second was not woken");
        assert!(poll(&mut second, &waker).is_some());
    }

    #[test]
    fn a_turn_given_up_before_it_came_does_not_block_the_line() {
        let queue = Queue::new();
        let waker = Waker::from(Arc::new(Count::default()));
        let mut first = queue.join();
        let second = queue.join();
        let mut third = queue.join();
        let place = poll(&mut first, &waker).unwrap();
        assert!(poll(&mut third, &waker).is_none());
        drop(second);
        drop(place);
        assert!(
            poll(&mut third, &waker).is_some(),
            "third waits for an abandoned place"
        );
    }

    #[test]
    fn a_turn_dropped_at_the_front_lets_the_next_in() {
        let queue = Queue::new();
        let waker = Waker::from(Arc::new(Count::default()));
        let first = queue.join();
        let mut second = queue.join();
        drop(first);
        let place = poll(&mut second, &waker).expect("second's turn");
        let mut third = queue.join();
        assert!(
            poll(&mut third, &waker).is_none(),
            "second still holds its place"
        );
        drop(place);
        assert!(poll(&mut third, &waker).is_some());
    }
}
