/** The reactions offered first, in the order most chats offer them. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏']

/** The composer's and the reaction picker's emoji. */
export const EMOJI = ['😀', '😂', '🥰', '😍', '😘', '😊', '😉', '🤔', '😮', '😢', '😭', '😡', '👍', '👎', '👏', '🙏', '💪', '❤️', '🎉', '🎂', '🌞', '🌧️', '🍕', '☕', '🐶', '🐱', '👨‍👩‍👧‍👦', '👋🏽']
