/**
 * Words and phrases at the heart of the most common passwords (as leaked-password statistics show them
 * year after year), lower case. A password whose core, once digits and symbols around it are stripped
 * and look-alike characters undone, is one of these is refused: `P@ssw0rd2024!` is `password`.
 * Written for Lapis; kept short on purpose: length does most of the work.
 */
const commonCores = `
password passw0rd passwort motdepasse contrasena senha parola wachtwoord haslo salasana
qwerty qwertz azerty qwertyuiop qwertyuiopasdfghjkl qwertyuiopasdfghjklzxcvbnm asdfgh asdfghjkl asdfghjkl;
zxcvbn zxcvbnm qazwsx qazwsxedc 1qaz2wsx 1qaz2wsx3edc 1qazxsw2 zaq12wsx zaq1zaq1 1q2w3e 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 qweasd qweasdzxc asdf1234 qwer1234 qwerty1234 abcd1234 abc123
abcdef abcdefg abcdefgh abcdefghi abcdefghij abcdefghijk abcdefghijkl abcdefghijklmnop abcdefghijklmnopqrstuvwxyz
iloveyou iloveu iloveyou2 ilovegod iloveme ilovemom ilovemyself ilovemylife iloveyoubaby iloveyouforever
letmein letmeinnow welcome welcomehome welcome1 hello helloworld hellokitty hithere goodmorning
admin administrator adminadmin root toor rootroot superuser sysadmin changeme changeit default guest guestguest
master masterkey secret secretpassword topsecret mysecret private access accessdenied login logmein
trustno1 trustnoone whatever nothing anything something everything yesyes nono
monkey dragon shadow sunshine princess football baseball basketball soccer hockey tennis golfer superman batman
spiderman ironman pokemon pikachu starwars startrek matrix mustang ferrari porsche corvette mercedes
michael jennifer jessica ashley michelle daniel charlie jordan thomas robert andrew joshua matthew william
jonathan christopher nicole amanda elizabeth samantha stephanie victoria alexander anthony
computer internet freedom liberty america canada london paris berlin newyork california
summer winter spring autumn monday friday sunday january february
chocolate cookie cookies cheese pepper butterfly flower flowers rainbow diamond silver golden
lovely loveme lovers forever forevermore angel angels heaven blessed jesus jesuschrist godisgood
killer hunter ranger soldier warrior ninja samurai wizard phoenix tigger tiger lion eagle falcon
fuckyou fuckoff asshole bitch biteme
maggie ginger buster bailey daisy lucky molly sophie charlie1 bandit
zxcvbnmasdfghjklqwertyuiop asdfghjklzxcvbnm mnbvcxz poiuytrewq lkjhgfdsa
password1 password12 password123 password1234 passwordpassword mypassword newpassword oldpassword yourpassword
correcthorsebatterystaple correcthorse
azure azuredevops devops microsoft windows office outlook github gitlab bitbucket jenkins docker kubernetes
lapis lapislazuli
`;

/** Whole passwords of twelve characters or more that are common as they stand. */
const commonWhole = `
123456789012 1234567890123 12345678901234 123456789000 098765432112 1234567890qwerty qwerty123456 qwerty1234567
111111111111 000000000000 123123123123 121212121212 123412341234 112233445566 147258369147 123456123456
aaaaaaaaaaaa abcabcabcabc 1q2w3e4r5t6y7u 1qaz2wsx3edc4rfv zaq12wsxcde3 qazwsxedcrfv !qaz2wsx#edc4
`;

export const commonPasswordCores: ReadonlySet<string> = new Set(commonCores.split(/\s+/).filter(Boolean));
export const commonWholePasswords: ReadonlySet<string> = new Set(commonWhole.split(/\s+/).filter(Boolean));
