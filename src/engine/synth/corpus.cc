#include "synth/corpus.h"

namespace greenroute::engine::synth {

namespace {

// Written for this project. Variety matters more than volume: the learned
// pieces should cover common English words, punctuation, digits, and the
// shapes of source code, so prompts tokenize into plausible lengths.
constexpr std::string_view kCorpus = R"corpus(The weather station on the hill reports every ten minutes. When the wind
turns to the north, the temperature drops and the grid draws more power from
the gas plants in the valley. In the afternoon the solar farms produce more
than the town can use, and the surplus flows to the batteries by the river.

A good scheduler knows where the clean energy is. It sends the heavy work to
the places where the sun is shining or the wind is blowing, and it keeps the
light work close to the people who are waiting for an answer. That is the
whole idea: run each task where it costs the least, for the planet and for the
user.

Once upon a time there was a small robot who lived in a workshop at the edge
of the forest. Every morning she counted the tools on the wall, one by one, and
every evening she counted them again. One day a hammer was missing. She looked
under the bench, behind the door and inside the old wooden box, but the hammer
was not there. "Who took my hammer?" she asked the cat. The cat only yawned.
Later that night she heard a soft knocking from the garden, and when she went
outside she found her friend the hedgehog building a little house for the
winter. "I only borrowed it," he said, and they both laughed.

User: How many tokens does this sentence have?
Assistant: It depends on the tokenizer. A word is often one token, but long or
rare words are split into several pieces, and numbers may be split digit by
digit.
User: What is the capital of France?
Assistant: The capital of France is Paris.
User: Can you explain what a language model does?
Assistant: A language model reads a sequence of tokens and predicts the next
one. It repeats this step to write a whole answer, one token at a time.

In 2023 the data center used 1,250 megawatt hours of electricity. The average
carbon intensity was 412 grams per kilowatt hour in winter and 187 in summer.
Prices rose by 3.5 percent between January and March, then fell by 0.8 percent
in April. The meeting is on 14 May at 09:30, room 217, building B.

Here is a short recipe. Take two cups of flour, one cup of water, a pinch of
salt and a spoon of oil. Mix them well, let the dough rest for thirty minutes,
then roll it thin and bake it until it is golden. Serve it warm with soup.

Questions to think about: Why does the river flow faster after rain? What
would happen if the days were twice as long? Which is heavier, a kilogram of
stone or a kilogram of feathers? How do birds find their way home?

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  std::vector<int> values = {3, 1, 4, 1, 5, 9, 2, 6};
  int total = 0;
  for (int value : values) {
    total += value;
  }
  if (argc > 1) {
    std::printf("%s: %d\n", argv[1], total);
  } else {
    std::printf("total = %d\n", total);
  }
  return 0;
}

def energy_per_token(joules, tokens):
    """Return the energy spent per generated token."""
    if tokens <= 0:
        raise ValueError("tokens must be positive")
    return joules / tokens


class Node:
    def __init__(self, name, region, watts):
        self.name = name
        self.region = region
        self.watts = watts

    def carbon(self, intensity, seconds):
        return self.watts * seconds / 3600.0 * intensity / 1000.0


for i in range(10):
    print(f"step {i}: loss = {1.0 / (i + 1):.3f}")

{"model": "tiny", "prompt": "Hello, world!", "max_tokens": 16, "temperature": 0.7}
{"id": "req-42", "object": "text_completion", "choices": [{"text": "Hi there."}]}

The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor
jugs. Sphinx of black quartz, judge my vow. These sentences use every letter of
the alphabet, which makes them useful for testing fonts and keyboards.

The history of the city began with a bridge. Merchants crossed the river there
because the water was shallow, and soon a market grew on the eastern bank. The
market became a town, the town became a city, and the old bridge was rebuilt in
stone. Today thousands of people cross it every day on their way to work, and
few of them know that the whole story started with a ford and a few traders.

function add(a, b) {
  return a + b;
}
const result = [1, 2, 3].map((x) => x * 2).filter((x) => x > 2);
console.log(`result: ${result.join(", ")}`);

SELECT name, region, SUM(energy_kwh) AS total FROM readings
WHERE day >= '2024-01-01' GROUP BY name, region ORDER BY total DESC;

Please remember to turn off the lights when you leave the room. Thank you for
your help with the project; we could not have finished it without you. If you
have any questions, send me a message and I will answer as soon as I can.

Learning is a slow process. We read, we try, we make mistakes, and we try
again. Each small step builds on the one before it, until one day the hard
problem looks easy and we wonder why it ever seemed difficult.
)corpus";

}  // namespace

std::string_view training_corpus() { return kCorpus; }

}  // namespace greenroute::engine::synth
