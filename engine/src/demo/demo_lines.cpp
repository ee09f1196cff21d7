#include "demo_lines.h"

namespace egmf::demo {

const std::vector<LiteralLines>& literalLines() {
    static const std::vector<LiteralLines> lines = {
        {"neutral",
         {"The meeting moved to Thursday at ten.", "I left the keys on the kitchen table.", "We need milk and some bread.",
          "The train gets in around six.", "Can you pass me the blue folder?", "I read that article this morning.",
          "Let's take the second exit.", "My sister lives near the station.", "The printer is on the third floor.",
          "I'll call the landlord tomorrow.", "It opens at nine on Sundays.", "We should water the plants.",
          "The report is in the shared drive.", "He usually walks to work."}},
        {"surprise",
         {"Wait, you're moving to Canada?", "Since when do you play the cello?", "You got the whole thing done already?",
          "I had no idea you two were related!", "That's the last thing I expected to see.", "You mean the party is tonight?",
          "Whoa, where did all these boxes come from?", "He actually said yes?", "You cut your hair!",
          "I didn't know this place had a roof garden.", "Hold on, the concert was free?", "They sold the whole building?",
          "You've been here the whole time?", "Since when is that allowed?"}},
        {"fear",
         {"I think someone is following us.", "Please don't leave me alone in here.", "What if the ice breaks?",
          "I can't breathe, the walls are too close.", "There's a noise coming from the basement.",
          "I'm scared they'll find out what we did.", "Don't open that door, please.", "My hands won't stop shaking.",
          "What if the plane goes down?", "I heard footsteps behind me again.", "Please tell me the brakes work.",
          "I'm terrified of what the doctor will say.", "Something is scratching at the window.", "We have to get out of here now."}},
        {"sadness",
         {"I miss her every single day.", "Nobody came to my birthday.", "We had to put the old dog down.",
          "I really thought he would call.", "It's never going to be the same again.", "I lost the job I worked so hard for.",
          "The house feels so empty now.", "I just feel tired of everything.", "She moved away and didn't even say goodbye.",
          "I keep reading his last letter.", "All my plants died while I was away.", "I failed the exam again.",
          "I sat in the car and cried for an hour.", "They forgot about me."}},
        {"joy",
         {"We won the tickets!", "This is the best day of my life!", "I got the apartment with the big windows!",
          "You made me a cake? I love it!", "She said yes, we're getting married!", "Finally, summer holidays!",
          "I passed the driving test!", "This song always makes me want to dance.", "You're the best friend anyone could have.",
          "The puppy learned to sit!", "My paintings sold out in an hour!", "We're going to the beach tomorrow!",
          "I can't stop smiling today.", "Grandma is coming to visit!"}},
        {"disgust",
         {"Ugh, there's hair in my soup.", "That fridge smells like something died in it.", "He licked the spoon and put it back.",
          "Gross, the milk is full of lumps.", "I can't believe he wears those socks for a week.", "The sink is crawling with flies.",
          "Who leaves chewing gum under the table?", "That sandwich has been sitting in the sun all day.", "Eww, it's slimy.",
          "He picked his teeth with a fork.", "The bathroom floor is sticky.", "There's mould growing on the bread.",
          "That's the most revolting thing I've ever tasted.", "Please stop chewing with your mouth open."}},
        {"anger",
         {"You lied to me again!", "Get out of my room right now!", "I told you not to touch my things!",
          "How dare you talk to my mother like that?", "You broke it and you didn't even say sorry!", "Stop interrupting me!",
          "That was my money and you spent it!", "I'm sick of cleaning up after you!", "You promised, and you didn't show up!",
          "Don't you ever do that again!", "Who gave you the right to read my mail?", "I've had it with your excuses!",
          "You took the credit for my work!", "Shut the door and leave me alone!"}},
    };
    return lines;
}

const std::vector<AmbiguousLine>& ambiguousLines() {
    static const std::vector<AmbiguousLine> lines = {
        {{"surprise", "anger", "joy"}, "You did what?"},
        {{"surprise", "anger", "joy"}, "Are you serious right now?"},
        {{"surprise", "anger", "joy"}, "I can't believe this."},
        {{"surprise", "anger", "fear"}, "What did you just say?"},
        {{"surprise", "joy", "anger"}, "No way."},
        {{"sadness", "fear", "neutral"}, "I don't know what to do."},
        {{"sadness", "neutral", "fear"}, "It's getting late."},
        {{"sadness", "neutral"}, "I guess we'll see."},
        {{"sadness", "neutral", "fear"}, "Okay."},
        {{"sadness", "fear"}, "He's not coming back."},
        {{"anger", "disgust"}, "Get that away from me."},
        {{"anger", "disgust"}, "That's it, I'm done."},
        {{"anger", "disgust", "sadness"}, "Look at this mess."},
        {{"fear", "surprise"}, "Did you hear that?"},
        {{"fear", "surprise", "joy"}, "Oh my God."},
        {{"fear", "surprise"}, "Something just moved."},
        {{"joy", "surprise", "neutral"}, "Well, look who's here."},
        {{"joy", "neutral", "surprise"}, "So this is the new place."},
        {{"joy", "neutral"}, "Let's do it."},
        {{"disgust", "neutral", "anger"}, "Is that what you're wearing?"},
        {{"disgust", "surprise"}, "What is that thing?"},
        {{"neutral", "sadness", "anger"}, "Fine."},
    };
    return lines;
}

const std::vector<IncongruentLine>& incongruentLines() {
    static const std::vector<IncongruentLine> lines = {
        // Sarcasm: cheerful words, angry voice and face.
        {"anger", "joy", "Oh, great. That's just great."},
        {"anger", "joy", "Wonderful work, really wonderful."},
        {"anger", "joy", "Sure, take your time, I love waiting."},
        {"anger", "joy", "Thanks a lot, you've been a huge help."},
        {"anger", "joy", "Perfect, exactly what I needed today."},
        {"anger", "neutral", "No, please, keep talking."},
        // Politeness over disgust.
        {"disgust", "joy", "Mmm, lovely. Really delicious."},
        {"disgust", "joy", "What a charming little habit."},
        {"disgust", "joy", "Oh how nice, you kept it all these years."},
        {"disgust", "neutral", "It's an interesting colour for a carpet."},
        {"disgust", "joy", "I'm sure it tastes better than it looks."},
        // Masking sadness.
        {"sadness", "neutral", "I'm fine, really."},
        {"sadness", "joy", "No, it's okay, I'm happy for you."},
        {"sadness", "neutral", "Don't worry about me."},
        {"sadness", "neutral", "It's no big deal."},
        {"sadness", "joy", "Congratulations, you two deserve it."},
        {"sadness", "neutral", "I'll just stay home tonight."},
        // Masking fear.
        {"fear", "neutral", "Sure, I'll go first, no problem."},
        {"fear", "joy", "Heights? I love heights."},
        {"fear", "neutral", "I'm totally calm."},
        {"fear", "joy", "This is going to be so much fun."},
        {"fear", "neutral", "The dark doesn't bother me at all."},
        // Teasing: harsh words, delighted voice and face.
        {"joy", "anger", "Oh no, you didn't! You're terrible!"},
        {"joy", "anger", "I hate you so much right now."},
        {"joy", "disgust", "Ugh, you always win."},
        {"joy", "anger", "Stop it, you're killing me!"},
        {"joy", "sadness", "I'm going to cry, this is too much."},
    };
    return lines;
}

}  // namespace egmf::demo
